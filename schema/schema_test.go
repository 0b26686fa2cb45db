// Package schema_test checks the JSON Schemas of hookgen's file formats
// (hookset, hooktemplate and hookpolicy .schema.json) against every such
// file in the repository, and against the Go types they are made from.
package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// schemaFor says which schema a file is checked against.
func schemaFor(path string) string {
	switch {
	case filepath.Base(path) == "hookgen.yaml":
		return "hookset.schema.json"
	case filepath.Base(path) == "policy.yaml":
		return "hookpolicy.schema.json"
	default:
		return "hooktemplate.schema.json"
	}
}

// schemaInvalid lists the files the schema must refuse: those of error
// cases whose problems are of the file's shape (unknown fields, wrong
// types, unknown names). Every other file is schema-valid, error cases
// included: their problems are of meaning, which no schema can see.
var schemaInvalid = map[string]bool{
	"testdata/cli/fixtures/platform-lint/templates/broken.yaml":       true, // unknown field
	"testdata/cli/fixtures/config-mixed/templates/notes.yaml":         true, // a ConfigMap, which hookgen skips
	"testdata/cli/fixtures/k8s-in-spec/configmap/hookgen.yaml":        true, // a Kubernetes object
	"testdata/cli/fixtures/k8s-in-spec/hook-job/hookgen.yaml":         true,
	"testdata/cli/fixtures/k8s-in-spec/job/hookgen.yaml":              true,
	"testdata/cli/fixtures/tabs/config/policy.yaml":                   true, // a tab: not YAML
	"testdata/cli/fixtures/tabs/repo/.hookgen/templates/cleanup.yaml": true,
	"testdata/cli/fixtures/tabs/repo/app/hookgen.yaml":                true,
	"testdata/err-annotate/repo/app/hookgen.yaml":                     true, // unknown fields, wrong types, unknown names
	"testdata/err-duplicate-hooks/repo/app/hookgen.yaml":              true, // duplicate key
	"testdata/err-many-files/repo/app/hookgen.yaml":                   true, // wrong types, no name
	"testdata/err-names-and-enums/repo/app/hookgen.yaml":              true, // unknown phase, delete policy
	"testdata/err-repo-templates/repo/.hookgen/templates/broken.yaml": true, // unknown type and phase
	"testdata/err-spec-file/repo/app/hookgen.yaml":                    true, // wrong apiVersion and kind
	"testdata/err-unknown-fields/repo/app/hookgen.yaml":               true,
	"testdata/err-wrong-types/repo/app/hookgen.yaml":                  true,
	"testdata/err-hook-fields/repo/app/hookgen.yaml":                  true, // unknown enum values, a negative group, a container that is a string
	"testdata/cli/fixtures/pod-fields/app/hookgen.yaml":               true, // Kubernetes fields hooks do not take
}

func compile(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"hookset.schema.json", "hooktemplate.schema.json", "hookpolicy.schema.json"} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource(name, doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// files lists every hookgen file in the repository, relative to its root.
func files(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"testdata", "examples", "transform/templates"} {
		err := filepath.WalkDir(filepath.Join("..", dir), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel("..", p)
			rel = filepath.ToSlash(rel)
			if rel == "testdata/hostile" {
				// Attacks on the parser (alias bombs, NUL bytes, ...), which
				// hookgen must refuse whatever their shape.
				return filepath.SkipDir
			}
			// A symlink is checked where it points, if that is a hookgen file.
			if d.IsDir() || d.Type()&os.ModeSymlink != 0 || !(strings.HasSuffix(rel, ".yaml") || strings.HasSuffix(rel, ".yml")) {
				return nil
			}
			switch {
			case d.Name() == "hookgen.yaml",
				strings.HasPrefix(rel, "transform/templates/"),
				strings.Contains(rel, "/.hookgen/templates/"),
				strings.Contains(rel, "/config/templates/"), strings.HasSuffix(rel, "/config/policy.yaml"),
				strings.HasPrefix(rel, "testdata/cli/fixtures/") && (strings.Contains(rel, "/templates/") || d.Name() == "policy.yaml"):
				out = append(out, rel)
			}
			return nil
		})
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

// documents reads a YAML file's documents as JSON values.
func documents(data []byte) ([]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
}

// TestFilesAgainstSchema validates every hookgen.yaml, template and policy
// under testdata, examples and the built-in templates.
func TestFilesAgainstSchema(t *testing.T) {
	schemas := compile(t)
	all := files(t)
	if len(all) < 40 {
		t.Fatalf("found only %d files to check", len(all))
	}
	seen := map[string]bool{}
	for _, rel := range all {
		seen[rel] = true
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", rel))
			if err != nil {
				t.Fatal(err)
			}
			docs, err := documents(data)
			if err != nil {
				if schemaInvalid[rel] {
					return // not even YAML the schema could read
				}
				t.Fatalf("not YAML: %v", err)
			}
			var failures []string
			for _, doc := range docs {
				if err := schemas[schemaFor(rel)].Validate(doc); err != nil {
					failures = append(failures, err.Error())
				}
			}
			switch {
			case schemaInvalid[rel] && len(failures) == 0:
				t.Errorf("%s has problems of shape, but %s accepts it", rel, schemaFor(rel))
			case !schemaInvalid[rel] && len(failures) > 0:
				t.Errorf("%s refuses it:\n%s", schemaFor(rel), strings.Join(failures, "\n"))
			}
		})
	}
	for rel := range schemaInvalid {
		if !seen[rel] {
			t.Errorf("%s is listed as schema-invalid but does not exist", rel)
		}
	}
}

// TestSchemaUpToDate runs the generator (tools/schemagen, a module of its
// own) in check mode: the schemas must be what the Go types say.
func TestSchemaUpToDate(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", ".", "-check", "-root", root)
	cmd.Dir = filepath.Join(root, "tools", "schemagen")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the checked-in schemas are stale (%v):\n%s", err, out)
	}
}

// TestSchemaNames checks the names hookgen requires to be DNS-1123 labels
// (hooks, templates) against the schemas: what hookgen refuses, an editor
// refuses too.
func TestSchemaNames(t *testing.T) {
	schemas := compile(t)
	long := strings.Repeat("a", 64)
	tests := []struct {
		schema, doc string
		valid       bool
	}{
		{"hookset.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookSet, hooks: [{name: migrate-db, uses: migration}]}", true},
		{"hookset.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookSet, hooks: [{name: Migrate_DB, uses: migration}]}", false},
		{"hookset.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookSet, hooks: [{name: migrate_db, uses: migration}]}", false},
		{"hookset.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookSet, hooks: [{name: -migrate, uses: migration}]}", false},
		{"hookset.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookSet, hooks: [{name: '', uses: migration}]}", false},
		{"hookset.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookSet, hooks: [{name: " + long + ", uses: migration}]}", false},
		{"hookset.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookSet, hooks: [{name: " + long[1:] + ", uses: migration}]}", true},
		{"hookpolicy.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookPolicy, metadata: {name: Platform_Policy}, spec: {inject: [{hook: {name: Incident, uses: slack}}]}}", false},
		{"hookpolicy.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookPolicy, metadata: {name: Platform_Policy}, spec: {inject: [{hook: {name: incident, uses: slack}}]}}", true},
		{"hooktemplate.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookTemplate, metadata: {name: db-migrate}, spec: {job: {}}}", true},
		{"hooktemplate.schema.json", "{apiVersion: hookgen.dev/v1alpha1, kind: HookTemplate, metadata: {name: DB_Migrate}, spec: {job: {}}}", false},
	}
	for _, tc := range tests {
		docs, err := documents([]byte(tc.doc))
		if err != nil || len(docs) != 1 {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		err = schemas[tc.schema].Validate(docs[0])
		if (err == nil) != tc.valid {
			t.Errorf("%s: %s: valid=%v, want %v (%v)", tc.schema, tc.doc, err == nil, tc.valid, err)
		}
	}
}
