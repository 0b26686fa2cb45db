package transform

import (
	"strings"
	"testing"
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
			got := splitDocuments([]byte(tc.in))
			if len(got) != len(tc.want) {
				t.Fatalf("got %d chunks, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, c := range got {
				if string(c.text) != tc.want[i] || c.line != tc.line[i] || c.reencode != tc.re[i] {
					t.Errorf("chunk %d: got (%q, line %d, reencode %v), want (%q, line %d, reencode %v)", i, c.text, c.line, c.reencode, tc.want[i], tc.line[i], tc.re[i])
				}
			}
		})
	}
}

func TestExpandBraces(t *testing.T) {
	for in, want := range map[string]string{
		"*.yaml":               "*.yaml",
		"*.{yaml,yml}":         "*.yaml *.yml",
		"{a,b}/{c,d}.json":     "a/c.json a/d.json b/c.json b/d.json",
		"unclosed{a,b":         "unclosed{a,b",
		"empty{}":              "empty",
		"{only}":               "only",
		"prod-*.{yaml,yml,js}": "prod-*.yaml prod-*.yml prod-*.js",
	} {
		if got := strings.Join(expandBraces(in), " "); got != want {
			t.Errorf("expandBraces(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSelected(t *testing.T) {
	sel := &Manifests{Include: StringList{"*.yaml", "crds/*.yml"}, Exclude: StringList{"*-test.yaml", "drafts/*"}}
	for rel, want := range map[string]bool{
		"deploy.yaml":      true,
		"sub/deploy.yaml":  true, // a pattern without "/" matches the base name
		"deploy-test.yaml": false,
		"crds/a.yml":       true,
		"other/a.yml":      false,
		"drafts/x.yaml":    false,
		"x.json":           false,
	} {
		if got := selected(rel, sel); got != want {
			t.Errorf("selected(%q) = %v, want %v", rel, got, want)
		}
	}
}

// TestReencodedDocumentsKeepNoTree checks that a document hookgen must
// print again (flow style, JSON) is encoded when read and keeps only its
// text, as a document printed as written does: a run over thousands of
// them holds no trees.
func TestReencodedDocumentsKeepNoTree(t *testing.T) {
	data := []byte("{apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {on: yes}}\n---\n{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"b\"}}\n")
	ps := &problems{}
	ms := parseManifests("m.yaml", data, DefaultLimits(), false, &aliasBudget{}, ps)
	if !ps.empty() || len(ms) != 2 {
		t.Fatalf("%d manifests, problems %v", len(ms), ps.list)
	}
	for _, m := range ms {
		if m.node != nil {
			t.Errorf("%s %s keeps its tree", m.Kind, m.Name)
		}
		if len(m.raw) == 0 || m.raw[0] == '{' {
			t.Errorf("%s %s is not encoded in block style: %q", m.Kind, m.Name, m.raw)
		}
		if n := m.Node(); n == nil || mapPath(n, "metadata", "name").Value != m.Name {
			t.Errorf("%s %s: its tree cannot be read again", m.Kind, m.Name)
		}
	}
	// As Kubernetes reads the flow text (YAML 1.1): a plain on key is the
	// JSON key "true", a plain yes the boolean true.
	if want := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  \"true\": true\n"; string(ms[0].raw) != want {
		t.Errorf("encoded as\n%s\nwant\n%s", ms[0].raw, want)
	}
}
