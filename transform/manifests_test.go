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

func TestSplitDocuments(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []string // the chunks' text
		line []int    // their first lines
		re   []bool   // reencode flags
	}{
		{name: "one", in: "a: 1\n", want: []string{"a: 1\n"}, line: []int{1}, re: []bool{false}},
		{name: "two", in: "a: 1\n---\nb: 2\n", want: []string{"a: 1\n", "b: 2\n"}, line: []int{1, 3}, re: []bool{false, false}},
		{name: "leading marker", in: "---\na: 1\n", want: []string{"", "a: 1\n"}, line: []int{1, 2}, re: []bool{false, false}},
		{name: "marker with comment", in: "a: 1\n--- # next\nb: 2", want: []string{"a: 1\n", "b: 2"}, line: []int{1, 3}, re: []bool{false, false}},
		{name: "content on marker", in: "--- {a: 1}\n", want: []string{"", " {a: 1}\n"}, line: []int{1, 1}, re: []bool{false, true}},
		{name: "document end", in: "a: 1\n...\n---\nb: 2\n", want: []string{"a: 1\n", "", "b: 2\n"}, line: []int{1, 3, 4}, re: []bool{false, false, false}},
		{name: "indented dashes", in: "a: |\n  ---\n  x\n", want: []string{"a: |\n  ---\n  x\n"}, line: []int{1}, re: []bool{false}},
		{name: "dashes in a word", in: "---x: 1\n", want: []string{"---x: 1\n"}, line: []int{1}, re: []bool{false}},
		{name: "bom", in: "\xef\xbb\xbfa: 1\n", want: []string{"a: 1\n"}, line: []int{1}, re: []bool{false}},
		{name: "crlf", in: "a: 1\r\n---\r\nb: 2\r\n", want: []string{"a: 1\r\n", "b: 2\r\n"}, line: []int{1, 3}, re: []bool{false, false}},
		{name: "directive", in: "%YAML 1.1\n---\na: 1\n", want: []string{"%YAML 1.1\n", "a: 1\n"}, line: []int{1, 3}, re: []bool{true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := manifest.SplitDocuments([]byte(tc.in))
			if len(got) != len(tc.want) {
				t.Fatalf("got %d chunks, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, c := range got {
				if string(c.Text) != tc.want[i] || c.Line != tc.line[i] || c.Reencode != tc.re[i] {
					t.Errorf("chunk %d: got (%q, line %d, reencode %v), want (%q, line %d, reencode %v)", i, c.Text, c.Line, c.Reencode, tc.want[i], tc.line[i], tc.re[i])
				}
			}
		})
	}
}

func TestYAMLChunks(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []string // the chunks' text
		line []int    // their first lines
		err  string
	}{
		{name: "one", in: "a: 1\n", want: []string{"a: 1\n"}, line: []int{1}},
		{name: "empty docs", in: "---\n---\na: 1\n---\n\n---\n", want: []string{"a: 1\n", "\n"}, line: []int{3, 5}},
		{name: "comment after marker", in: "a: 1\n--- # next\nb: 2", want: []string{"a: 1\n", "b: 2"}, line: []int{1, 3}},
		{name: "crlf", in: "a: 1\r\n---\r\nb: 2\r\n", want: []string{"a: 1\r\n", "b: 2\r\n"}, line: []int{1, 3}},
		{name: "document end cuts", in: "a: 1\n...\nb: 2\n---\nc: 3\n", want: []string{"a: 1\n", "c: 3\n"}, line: []int{1, 5}},
		{name: "document end first", in: "a: 1\n---\n# c\n...\nb: 2\n", want: []string{"a: 1\n"}, line: []int{1}, err: "m.yaml:4: invalid YAML: a document end marker (...) before any content"},
		{name: "indented dashes", in: "a: |\n  ---\n  x\n", want: []string{"a: |\n  ---\n  x\n"}, line: []int{1}},
		{name: "content on marker", in: "a: 1\n--- {b: 2}\n", err: "m.yaml:2: invalid YAML: document separator \"--- {b: 2}\""},
		{name: "four dashes", in: "----\n", err: "m.yaml:1: invalid YAML: document separator \"----\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, p := manifest.YamlChunks("m.yaml", []byte(tc.in))
			switch {
			case tc.err == "" && p != nil:
				t.Fatalf("unexpected problem %v", p)
			case tc.err != "" && (p == nil || !strings.HasPrefix(p.Error(), tc.err)):
				t.Fatalf("problem %v, want %q", p, tc.err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d chunks, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, c := range got {
				if string(c.Text) != tc.want[i] || c.Line != tc.line[i] {
					t.Errorf("chunk %d: got (%q, line %d), want (%q, line %d)", i, c.Text, c.Line, tc.want[i], tc.line[i])
				}
			}
		})
	}
}

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

// TestReencodedDocumentsKeepNoTree checks that a document hookgen must
// print again (flow style, JSON) is encoded when read and keeps only its
// text, as a document printed as written does: a run over thousands of
// them holds no trees.
func TestReencodedDocumentsKeepNoTree(t *testing.T) {
	// A leading comment: a file that starts with "{" is read as JSON.
	data := []byte("# flow\n{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {on: yes}}\n---\n{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"b\"}}\n")
	ps := &problem.Collector{}
	ms := manifest.ParseManifests("m.yaml", data, yamlio.DefaultLimits(), false, &yamlio.AliasBudget{}, ps)
	if !ps.Empty() || len(ms) != 2 {
		t.Fatalf("%d manifests, problems %v", len(ms), ps.List)
	}
	for _, m := range ms {
		if m.Tree != nil {
			t.Errorf("%s %s keeps its tree", m.Kind, m.Name)
		}
		if len(m.Raw) == 0 || m.Raw[0] == '{' {
			t.Errorf("%s %s is not encoded in block style: %q", m.Kind, m.Name, m.Raw)
		}
		if n := m.Node(); n == nil || yamlio.MapPath(n, "metadata", "name").Value != m.Name {
			t.Errorf("%s %s: its tree cannot be read again", m.Kind, m.Name)
		}
	}
	// As Kubernetes reads the flow text (YAML 1.1): a plain on key is the
	// JSON key "true", a plain yes the boolean true.
	if want := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  \"true\": true\n"; string(ms[0].Raw) != want {
		t.Errorf("encoded as\n%s\nwant\n%s", ms[0].Raw, want)
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
