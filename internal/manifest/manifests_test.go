package manifest

import (
	"strings"
	"testing"

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
			got := SplitDocuments([]byte(tc.in))
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
			got, p := YamlChunks("m.yaml", []byte(tc.in))
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

// TestReencodedDocumentsKeepNoTree checks that a document hookgen must
// print again (flow style, JSON) is encoded when read and keeps only its
// text, as a document printed as written does: a run over thousands of
// them holds no trees.
func TestReencodedDocumentsKeepNoTree(t *testing.T) {
	// A leading comment: a file that starts with "{" is read as JSON.
	data := []byte("# flow\n{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {on: yes}}\n---\n{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"b\"}}\n")
	ps := &problem.Collector{}
	ms := ParseManifests("m.yaml", data, yamlio.DefaultLimits(), false, &yamlio.AliasBudget{}, ps)
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
