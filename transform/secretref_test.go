package transform

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
)

// TestSecretKeyRefEscaped: an escaped $$( in a secretKeyRef parameter is
// text once substituted, so it must be a Secret's name like any other.
func TestSecretKeyRefEscaped(t *testing.T) {
	repo := fstest.MapFS{"app/hookgen.yaml": {Data: []byte(setHeader + `hooks:
  - name: notify
    uses: slack
    phase: PostSync
    with:
      webhook: {secret: "$$(params.name)", key: url}
`)}}
	_, err := Run(Input{Repo: repo, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}, RunnerImage: "runner:1"}})
	if err == nil || !strings.Contains(err.Error(), "must name a Secret") {
		t.Errorf("got %v, want the escaped placeholder refused as a Secret name", err)
	}
}
