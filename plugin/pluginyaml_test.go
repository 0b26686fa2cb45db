package plugin

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hookgen/hookgen/internal/golden"
)

// TestPluginYAML fails when plugin.yaml or the parameter table of
// docs/settings.md drift from the table in code they are generated from.
func TestPluginYAML(t *testing.T) {
	want := PluginYAML()
	if golden.Updating() {
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
	const settings = "../docs/settings.md"
	page := readFile(t, settings)
	i, j := bytes.Index(page, []byte(begin)), bytes.Index(page, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("docs/settings.md lacks the %s ... %s markers", strings.TrimSpace(begin), end)
	}
	table := ParametersDoc()
	if golden.Updating() {
		page = append(append(append([]byte{}, page[:i+len(begin)]...), table...), page[j:]...)
		if err := os.WriteFile(settings, page, 0o644); err != nil {
			t.Fatal(err)
		}
		i, j = bytes.Index(page, []byte(begin)), bytes.Index(page, []byte(end))
	}
	if got := string(page[i+len(begin) : j]); got != table {
		t.Errorf("the parameter table of docs/settings.md is stale: run go test ./plugin -run TestPluginYAML -update")
	}
}
