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
	for _, f := range []struct{ path, want string }{
		{"../plugin.yaml", want},
		{"../manifests/components/named-only/plugin.yaml", NamedPluginYAML()},
	} {
		if golden.Updating() {
			writeFile(t, f.path, []byte(f.want))
		}
		if got := readFile(t, f.path); string(got) != f.want {
			t.Errorf("%s is stale: run go test ./plugin -run TestPluginYAML -update", f.path)
		}
		var doc struct {
			Spec map[string]any `yaml:"spec"`
		}
		if err := yaml.Unmarshal([]byte(f.want), &doc); err != nil {
			t.Fatalf("%s does not parse: %v", f.path, err)
		}
		_, discovers := doc.Spec["discover"]
		if named := strings.Contains(f.path, "named-only"); discovers == named {
			t.Errorf("%s: discover rule %v, want %v", f.path, discovers, !named)
		}
	}
	// The two differ in discovery and its comment only.
	named := NamedPluginYAML()
	if strip := func(s string) string {
		_, after, _ := strings.Cut(s, "apiVersion:")
		return strings.Replace(after, "  discover:\n    fileName: ./hookgen.yaml\n", "", 1)
	}; strip(want) != strip(named) {
		t.Errorf("the named-only plugin.yaml differs from plugin.yaml in more than discovery:\n%s", named)
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
