// Command schemagen writes the JSON Schemas of hookgen's file formats
// (schema/*.schema.json) from the Go types in package transform, their
// json tags, their jsonschema tags and their comments.
//
// It is a module of its own so that its dependencies never reach the
// hookgen binary or the go.mod of those who import hookgen. Run it from
// this directory:
//
//	go run .          # write ../../schema/*.schema.json
//	go run . -check   # exit 1 when they are not what it would write
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/invopop/jsonschema"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hookgen/hookgen/transform"
)

// baseURL is where the schemas are published: the raw files in the
// repository, which editors fetch.
const baseURL = "https://raw.githubusercontent.com/hookgen/hookgen/main/schema/"

// schemas are the files written, by name.
var schemas = []struct {
	file  string
	value any
	title string
}{
	{"hookset.schema.json", &transform.HookSet{}, "hookgen HookSet (hookgen.yaml)"},
	{"hooktemplate.schema.json", &transform.HookTemplate{}, "hookgen HookTemplate"},
	{"hookpolicy.schema.json", &transform.HookPolicy{}, "hookgen HookPolicy (policy.yaml)"},
}

func main() {
	root := flag.String("root", "../..", "the hookgen repository")
	check := flag.Bool("check", false, "do not write: exit 1 when the files differ from what would be written")
	flag.Parse()
	files, err := Generate(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
	stale := false
	for _, name := range sortedKeys(files) {
		path := filepath.Join(*root, "schema", name)
		if *check {
			old, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(old, files[name]) {
				fmt.Fprintf(os.Stderr, "schemagen: %s is not what the Go types say; run: cd tools/schemagen && go run .\n", filepath.ToSlash(filepath.Join("schema", name)))
				stale = true
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "schemagen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "schemagen:", err)
			os.Exit(1)
		}
	}
	if stale {
		os.Exit(1)
	}
}

// typeDirs are the packages, relative to the repository, that declare the
// types the schemas describe; their comments become descriptions.
var typeDirs = []string{"./transform", "./internal/hookspec", "./internal/hookpolicy"}

// Generate returns the schema files, by name. root is the repository, whose
// packages in typeDirs hold the comments that become descriptions.
func Generate(root string) (map[string][]byte, error) {
	r := &jsonschema.Reflector{Mapper: mapType, RequiredFromJSONSchemaTags: false}
	// Go comments become descriptions. The reflector names packages by
	// their directory under the module, so read them from the root.
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if err := os.Chdir(root); err != nil {
		return nil, err
	}
	for _, dir := range typeDirs {
		if err = r.AddGoComments("github.com/hookgen/hookgen", dir); err != nil {
			break
		}
	}
	if cerr := os.Chdir(wd); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("read the comments of the declaration types: %w", err)
	}
	out := map[string][]byte{}
	for _, s := range schemas {
		sch := r.Reflect(s.value)
		sch.ID = jsonschema.ID(baseURL + s.file)
		sch.Title = s.title
		fixNodes(sch)
		labels(sch, s.file)
		b, err := json.MarshalIndent(sch, "", "  ")
		if err != nil {
			return nil, err
		}
		out[s.file] = append(b, '\n')
	}
	return out, nil
}

var (
	nodeType       = reflect.TypeOf(yaml.Node{})
	stringListType = reflect.TypeOf(transform.StringList{})
	quantityType   = reflect.TypeOf(transform.Quantity(""))
	paramTypeType  = reflect.TypeOf(transform.ParamType(""))
	labelMapType   = reflect.TypeOf(map[string]string{})
)

// mapType gives the types with their own YAML form the schema of what the
// decoder accepts.
func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case nodeType, reflect.PointerTo(nodeType):
		// Free-form YAML; fixNodes narrows the fields that must be mappings.
		return &jsonschema.Schema{}
	case stringListType:
		return &jsonschema.Schema{OneOf: []*jsonschema.Schema{
			{Type: "string", Description: "one value, or several separated by commas"},
			{Type: "array", Items: &jsonschema.Schema{Type: "string"}},
		}}
	case quantityType:
		return &jsonschema.Schema{
			Description: "a Kubernetes quantity such as 500m, 1 or 128Mi",
			OneOf: []*jsonschema.Schema{
				{Type: "string", Pattern: transform.QuantityPattern},
				{Type: "number", Minimum: json.Number("0")},
			},
		}
	case paramTypeType:
		var enum []any
		for _, p := range transform.ParamTypes {
			enum = append(enum, string(p))
		}
		return &jsonschema.Schema{Type: "string", Enum: enum}
	case labelMapType:
		// Labels, annotations, selectors: any scalar is taken as its text.
		return &jsonschema.Schema{
			Type:                 "object",
			AdditionalProperties: &jsonschema.Schema{AnyOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}, {Type: "boolean"}}},
		}
	}
	return nil
}

// Fields whose free-form YAML must be a mapping, and the StringList
// fields whose values are Argo CD names.
var (
	mappingFields = map[string][]string{
		"Hook":         {"job", "with", "affinity"},
		"Defaults":     {"affinity"},
		"TemplateSpec": {"job"},
		"EnvVar":       {"valueFrom"},
	}
	// Lists of Kubernetes containers, each a mapping with a name and an image.
	containerFields = []string{"initContainers", "extraContainers"}
	phaseFields     = []string{"phase", "phases"}
	policyFields    = []string{"deletePolicy"}
)

// fixNodes narrows free-form fields to mappings and gives phases and delete
// policies their names: the list form as an enum, the comma-separated
// string form as a pattern.
func fixNodes(s *jsonschema.Schema) {
	var phases, policies []string
	for _, p := range transform.Phases {
		phases = append(phases, string(p))
	}
	for _, p := range transform.DeletePolicies {
		policies = append(policies, string(p))
	}
	for name, def := range s.Definitions {
		if def.Properties == nil {
			continue
		}
		for _, field := range mappingFields[name] {
			if p, ok := def.Properties.Get(field); ok {
				p.Type = "object"
			}
		}
		for _, field := range containerFields {
			if p, ok := def.Properties.Get(field); ok {
				p.Items = &jsonschema.Schema{Type: "object", Required: []string{"name", "image"}}
			}
		}
		if p, ok := def.Properties.Get("writablePaths"); ok {
			p.Items = &jsonschema.Schema{Type: "string", Pattern: "^/."}
		}
		for _, field := range phaseFields {
			if p, ok := def.Properties.Get(field); ok {
				if name == "AnnotateRule" {
					names(p, append(phases[:len(phases):len(phases)], transform.Skip)) // a resource may be skipped
				} else {
					names(p, phases)
				}
			}
		}
		for _, field := range policyFields {
			if p, ok := def.Properties.Get(field); ok {
				names(p, policies)
			}
		}
	}
}

// labelFields are the names hookgen requires to be DNS-1123 labels, by
// definition and field: hooks (declared or injected), and templates in
// the template schema (a policy's metadata.name is free).
var labelFields = map[string]string{
	"Hook":                                "name",
	"hooktemplate.schema.json ObjectMeta": "name",
}

// labels gives the fields that hold DNS-1123 labels their pattern and
// length, so that an editor refuses Migrate_DB as hookgen does.
func labels(s *jsonschema.Schema, file string) {
	for name, def := range s.Definitions {
		field, ok := labelFields[name]
		if !ok {
			field, ok = labelFields[file+" "+name]
		}
		if !ok || def.Properties == nil {
			continue
		}
		if p, ok := def.Properties.Get(field); ok {
			p.Pattern = transform.DNSLabelPattern
			p.MinLength = ptr(uint64(1))
			p.MaxLength = ptr(uint64(63))
		}
	}
}

// names restricts a StringList schema to known names.
func names(p *jsonschema.Schema, known []string) {
	if len(p.OneOf) != 2 {
		return
	}
	alt := strings.Join(known, "|")
	p.OneOf[0].Pattern = `^\s*(` + alt + `)(\s*,\s*(` + alt + `))*\s*$`
	var enum []any
	for _, k := range known {
		enum = append(enum, k)
	}
	p.OneOf[1].Items = &jsonschema.Schema{Type: "string", Enum: enum}
	p.OneOf[1].MinItems = ptr(uint64(1))
}

func ptr[T any](v T) *T { return &v }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
