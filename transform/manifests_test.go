package transform

import (
	"io/fs"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/manifest"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// TestArgoReading checks which files Argo CD's directory source reads,
// ignores or fails on, one file at a time.
func TestArgoReading(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
	for _, tc := range []struct {
		name, file, in string
		kinds          string // the objects read, "" when none
		err            string // the problem, "" when none
	}{
		{name: "unrelated yaml", file: "settings.yaml", in: "foo: bar\n"},
		{name: "yaml list", file: "list.yaml", in: "- a\n- b\n"},
		{name: "scalar", file: "s.yaml", in: "hello\n"},
		{name: "kind not a string", file: "k.yaml", in: "kind: 5\nname: x\n"},
		{name: "unrelated with bad syntax", file: "b.yaml", in: "a: [\n"},
		{name: "looks like a manifest", file: "m.yaml", in: "apiVersion: v1\nmetadata: {}\nkind:\n", err: "m.yaml:1: not a Kubernetes resource: kind is missing or not a string; Argo CD cannot read this file either"},
		{name: "words in comments count", file: "c.yaml", in: "# apiVersion: kind: metadata:\n- a\n", err: "c.yaml:1: not a Kubernetes resource (found a list"},
		{name: "object before", file: "o.yaml", in: cm + "---\nfoo: bar\n", err: "o.yaml:6: not a Kubernetes resource: kind is missing"},
		{name: "unrelated first, manifest after", file: "p.yaml", in: "foo: bar\n---\n" + cm, err: "p.yaml:1: not a Kubernetes resource: kind is missing"},
		{name: "flow style first", file: "f.yaml", in: "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n", err: "f.yaml:1: invalid JSON: invalid character 'a' looking for beginning of object key string"},
		{name: "kind without apiVersion", file: "n.yaml", in: "kind: Thing\nmetadata: {name: x}\n", err: "n.yaml:1: not a Kubernetes resource: apiVersion and kind are required"},
		{name: "bad apiVersion", file: "v.yaml", in: "apiVersion: a/b/c\nkind: X\n"},
		{name: "bad separator, unrelated", file: "s2.yaml", in: "--- foo\n"},
		{name: "bad separator after an object", file: "s3.yaml", in: "# the words quoted: not Argo CD's raw text\n\"apiVersion\": v1\n\"kind\": Foo\n\"metadata\": {\"name\": a}\n---\n--- foo\n", err: "s3.yaml:6: invalid YAML: document separator"},
		{name: "comments and empty docs", file: "e.yaml", in: "# only\n---\n---\n"},
		{name: "list kind", file: "l.yaml", in: "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(cm, "\n", "\n  "), kinds: "List"},
		{name: "json stream in yaml", file: "j.yaml", in: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}} {"apiVersion":"v1","kind":"Secret","metadata":{"name":"b"}}`, kinds: "ConfigMap Secret"},
		{name: "json object", file: "a.json", in: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}` + "\n", kinds: "ConfigMap"},
		{name: "json trailing brace", file: "a.json", in: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}}`, kinds: "ConfigMap"},
		{name: "json trailing comma", file: "a.json", in: "{\"apiVersion\":\"v1\",\n\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},}", err: "a.json:2: invalid JSON: invalid character '}' looking for beginning of object key string"},
		{name: "json two objects", file: "a.json", in: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}} {}`, err: "a.json:1: more than one JSON value"},
		{name: "json array", file: "a.json", in: `[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}]`, err: "a.json:1: not a Kubernetes resource (found a list"},
		{name: "json unrelated", file: "package.json", in: `{"name": "x"}`, err: "package.json:1: not a Kubernetes resource: kind is missing"},
		{name: "json empty", file: "a.json", in: "", err: "a.json:1: invalid JSON: unexpected end of the file"},
		{name: "json null", file: "a.json", in: "null", err: "a.json:1: not a Kubernetes resource (found null)"},
		{name: "items not objects", file: "i.yaml", in: cm + "---\napiVersion: v1\nkind: List\nitems:\n- 1\n", kinds: "ConfigMap", err: "i.yaml:9: items[0] is an integer, not an object"},
		{name: "bom", file: "b.yaml", in: "\xef\xbb\xbf" + cm, kinds: "ConfigMap"},
		{name: "utf16", file: "u.yaml", in: utf16(cm), kinds: "ConfigMap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, keep := range []bool{false, true} {
				ps := &problem.Collector{}
				ms := manifest.ParseManifests(tc.file, []byte(tc.in), yamlio.DefaultLimits(), keep, &yamlio.AliasBudget{}, ps)
				var kinds []string
				for _, m := range ms {
					kinds = append(kinds, m.Kind)
				}
				if got := strings.Join(kinds, " "); got != tc.kinds {
					t.Errorf("keep=%v: read %q, want %q", keep, got, tc.kinds)
				}
				got := ""
				if err := ps.Err(); err != nil {
					got = err.Error()
				}
				if tc.err == "" && got != "" || !strings.HasPrefix(got, tc.err) {
					t.Errorf("keep=%v: problems %q, want %q", keep, got, tc.err)
				}
			}
		})
	}
}

// TestDirectoryWalk checks which files of a plain directory are read, as
// Argo CD's directory source walks it: hidden files and directories
// included, hookgen's own files and files that are not regular (a named
// pipe would block the read) left out, subdirectories only with recurse.
func TestDirectoryWalk(t *testing.T) {
	cm := func(name string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n")}
	}
	broken := &fstest.MapFile{Data: []byte("apiVersion: v1\nkind: [\nmetadata: {}\n")}
	for _, tc := range []struct {
		name    string
		recurse bool
		want    string
	}{
		{name: "flat", want: "hidden top"},
		{name: "recurse", recurse: true, want: "hidden hidden-dir sub top"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := setHeader + "hooks: []\n"
			if tc.recurse {
				spec += "manifests: {recurse: true}\n"
			}
			fsys := fstest.MapFS{
				"app/hookgen.yaml":              {Data: []byte(spec)},
				"app/top.yaml":                  cm("top"),
				"app/.hidden.yaml":              cm("hidden"),
				"app/.dir/x.yml":                cm("hidden-dir"),
				"app/sub/y.json":                {Data: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"sub"}}`)},
				"app/sub/hookgen.yaml":          broken,
				"app/.hookgen/templates/t.yaml": broken,
				"app/pipe.yaml":                 {Data: broken.Data, Mode: fs.ModeNamedPipe},
				"app/notes.txt":                 broken,
				"app/kustomization.yaml.bak":    broken,
			}
			res, err := Run(Input{Repo: fsys, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "shop"}, RunnerImage: "runner:1"}})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range res.Manifests {
				names = append(names, m.Name)
			}
			sort.Strings(names)
			if got := strings.Join(names, " "); got != tc.want {
				t.Errorf("read %q, want %q", got, tc.want)
			}
		})
	}
}

func TestJsonnetRefused(t *testing.T) {
	_, err := run(t, map[string]string{
		"app/hookgen.yaml": setHeader + "hooks: []\n",
		"app/app.jsonnet":  "{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'a'}}\n",
	}, yamlio.Limits{})
	wantProblem(t, err, "app/app.jsonnet:1: Argo CD renders *.jsonnet files in a directory app; hookgen does not render Jsonnet")
}
