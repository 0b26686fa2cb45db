package transform

import (
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/yamlio"
)

// TestAnnotateUnchangedBytes checks that documents no rule touches keep
// their bytes, and that a touched one is printed again with its styles.
func TestAnnotateUnchangedBytes(t *testing.T) {
	doc := "apiVersion: v1   # spaced\nkind: ConfigMap\nmetadata: {name: keep}\n"
	out, err := run(t, map[string]string{
		"app/hookgen.yaml": setHeader + "annotate:\n  - {match: {name: change}, wave: 1}\nhooks: []\n",
		"app/a.yaml":       doc + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: change}\n",
	}, yamlio.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// The changed document keeps its styles: a flow mapping stays one.
	want := doc + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: change, annotations: {argocd.argoproj.io/sync-wave: \"1\"}}\n"
	if out != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
}

// TestAnnotateKeepsYAML11Meaning checks that a changed document keeps the
// plain scalars YAML 1.1 readers (Kubernetes, Argo CD) read as booleans or
// octal numbers plain, and quoted ones quoted.
func TestAnnotateKeepsYAML11Meaning(t *testing.T) {
	out, err := run(t, map[string]string{
		"app/hookgen.yaml": setHeader + "annotate:\n  - {match: {kind: Thing}, wave: 1}\nhooks: []\n",
		"app/a.yaml":       "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n  enabled: yes\n  mode: 0777\n  label: \"on\"\n",
	}, yamlio.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  enabled: yes\n", "  mode: 0777\n", "  label: \"on\"\n", "argocd.argoproj.io/sync-wave: \"1\""} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
