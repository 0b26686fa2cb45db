package yamlio

import (
	"strconv"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestYAMLProblemTab checks that a tab in the indentation is reported on
// the tab's own line and column, saying so, whatever go-yaml's message and
// line; other errors keep go-yaml's.
func TestYAMLProblemTab(t *testing.T) {
	const tab = "invalid YAML: a tab in the indentation; YAML indents with spaces only: replace the tab with spaces"
	tests := []struct {
		in   string
		want string
	}{
		{"a: 1\nb:\n\tc: 2\n", "f:3:1: " + tab},
		{"a: 1\nb:\n  c: 2\n\td: 3\n", "f:4:1: " + tab},
		{"a:\n  - x\n\t- y\n", "f:3:1: " + tab},
		{"a:\n  -\tx\n  - y\n", "f:2:4: " + tab},
		{"a:\n  - \tx\n", "f:2:5: " + tab},
		{"a: |\n  x\n\ty\n", "f:3:1: " + tab},
		{"\ta: 1\n", "f:1:1: " + tab},
		{"a:\n  b: 1\n  \tc: 2\n", "f:3:3: " + tab},
		{"a: 1\n\t\n", "f:2:1: " + tab},
		{"a: [1\n", "f:1: invalid YAML: did not find expected ',' or ']'"},
		{"a: 1\n b: 2\n", "f:2: invalid YAML: mapping values are not allowed in this context"},
	}
	for _, tc := range tests {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(tc.in), &n)
		if err == nil {
			t.Errorf("%q parses", tc.in)
			continue
		}
		p := ErrorProblem("f", []byte(tc.in), err)
		got := p.Pos.File + ":" + strconv.Itoa(p.Pos.Line)
		if p.Pos.Col > 0 {
			got += ":" + strconv.Itoa(p.Pos.Col)
		}
		got += ": " + p.Msg
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
