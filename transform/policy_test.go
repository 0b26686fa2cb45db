package transform

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// TestPolicyMaxResourcesOnce: a maxResources value that is not a quantity
// is one problem, at its line.
func TestPolicyMaxResourcesOnce(t *testing.T) {
	cfg := fstest.MapFS{"policy.yaml": {Data: []byte(`apiVersion: hookgen.dev/v1alpha1
kind: HookPolicy
metadata: {name: p}
spec:
  bounds:
    maxResources: {cpu: lots}
`)}}
	_, err := LoadConfig(cfg, yamlio.Limits{})
	if err == nil {
		t.Fatal("a maxResources value that is not a quantity was accepted")
	}
	if n := strings.Count(err.Error(), `"lots"`) + strings.Count(err.Error(), `""`); n != 1 {
		t.Errorf("want one problem about cpu: lots, got:\n%v", err)
	}
}

// TestPolicyAutomountEmptyServiceAccount: a template whose Job names the
// empty service account cannot keep the token mounted past a policy that
// allows no hardening opt-out; the Job counts as naming no account, as it
// does when hookgen hardens it.
func TestPolicyAutomountEmptyServiceAccount(t *testing.T) {
	cfg := fstest.MapFS{"policy.yaml": {Data: []byte(`apiVersion: hookgen.dev/v1alpha1
kind: HookPolicy
metadata: {name: p}
spec:
  templates: {allowRepository: true}
`)}}
	repo := fstest.MapFS{
		".hookgen/templates/t.yaml": {Data: []byte(`apiVersion: hookgen.dev/v1alpha1
kind: HookTemplate
metadata: {name: t}
spec:
  job:
    template:
      spec:
        serviceAccountName: ""
        containers: [{name: main, image: "ghcr.io/acme/tool:1.0"}]
`)},
		"app/hookgen.yaml": {Data: []byte(setHeader + `hooks:
  - name: a
    uses: t
    phase: PostSync
    hardening: {automountServiceAccountToken: true}
`)},
	}
	_, err := Run(Input{Repo: repo, AppDir: "app", Config: cfg, Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}, RunnerImage: "runner:1"}})
	if err == nil || !strings.Contains(err.Error(), "policy pods.allowHardeningOptOut: hardening.automountServiceAccountToken opts out") {
		t.Errorf("got %v, want the automountServiceAccountToken opt-out refused", err)
	}
}
