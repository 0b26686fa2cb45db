package transform

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/yamlio"
)

// TestNestedFieldPositions checks that fields under a pointer to a struct
// (spec.templates.allow, hardening.seccompProfile) are found at their own
// line, not at their parent's.
func TestNestedFieldPositions(t *testing.T) {
	cfg := fstest.MapFS{"policy.yaml": {Data: []byte(`apiVersion: hookgen.dev/v1alpha1
kind: HookPolicy
metadata: {name: p}
spec:
  images:
    allow: ["ghcr.io/**"]
  templates:
    allow: ["[bad"]
`)}}
	_, err := LoadConfig(cfg, yamlio.Limits{})
	if err == nil || !strings.Contains(err.Error(), "config:policy.yaml:8: policy: templates.allow: bad pattern") {
		t.Errorf("got %v, want the problem at line 8", err)
	}
	repo := fstest.MapFS{"app/hookgen.yaml": {Data: []byte(setHeader + `hooks:
  - name: a
    uses: job
    phase: PreSync
    with: {image: "a:1"}
    hardening:
      runAsNonRoot: true
      seccompProfile: Localhost
`)}}
	_, err = Run(Input{Repo: repo, AppDir: "app"})
	if err == nil || !strings.Contains(err.Error(), "app/hookgen.yaml:10: hook \"a\": hardening.seccompProfile must be RuntimeDefault or Unconfined") {
		t.Errorf("got %v, want the problem at line 10", err)
	}
}
