package plugin

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestPluginYAML fails when plugin.yaml or the README's parameter table
// drift from the table in code they are generated from.
func TestPluginYAML(t *testing.T) {
	want := PluginYAML()
	if *update {
		writeFile(t, "../plugin.yaml", []byte(want))
	}
	if got := readFile(t, "../plugin.yaml"); string(got) != want {
		t.Errorf("plugin.yaml is stale: run go test ./plugin -run TestPluginYAML -update")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(want), &doc); err != nil {
		t.Fatalf("plugin.yaml does not parse: %v", err)
	}

	const begin, end = "<!-- parameters:begin -->\n", "<!-- parameters:end -->"
	readme := readFile(t, "../README.md")
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %s ... %s markers", strings.TrimSpace(begin), end)
	}
	table := ParametersDoc()
	if *update {
		readme = append(append(append([]byte{}, readme[:i+len(begin)]...), table...), readme[j:]...)
		if err := os.WriteFile("../README.md", readme, 0o644); err != nil {
			t.Fatal(err)
		}
		i, j = bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	}
	if got := string(readme[i+len(begin) : j]); got != table {
		t.Errorf("the README's parameter table is stale: run go test ./plugin -run TestPluginYAML -update")
	}
}
