package transform

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
)

// TestJobLimitsAfterSubstitution: a template's job may set its deadline,
// backoff limit and TTL with placeholders; they are read once substituted.
// A value that is not an integer is a problem, not a silent default.
func TestJobLimitsAfterSubstitution(t *testing.T) {
	tmpl := func(deadline string) fstest.MapFS {
		return fstest.MapFS{
			".hookgen/templates/t.yaml": {Data: []byte(`apiVersion: hookgen.dev/v1alpha1
kind: HookTemplate
metadata: {name: t}
spec:
  params:
    - {name: timeout, type: int, default: 42}
    - {name: retries, type: int, default: 3}
  job:
    activeDeadlineSeconds: ` + deadline + `
    backoffLimit: $(params.retries)
    ttlSecondsAfterFinished: 0x100
    template:
      spec:
        containers: [{name: main, image: "ghcr.io/acme/tool:1.0"}]
`)},
			"app/hookgen.yaml": {Data: []byte(setHeader + `hooks:
  - {name: a, uses: t, phase: PostSync}
`)},
		}
	}
	in := func(repo fstest.MapFS) Input {
		return Input{Repo: repo, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}, RunnerImage: "runner:1"}}
	}
	res, err := Run(in(tmpl("$(params.timeout)")))
	if err != nil {
		t.Fatal(err)
	}
	j := res.Jobs[0]
	if j.ActiveDeadlineSeconds != 42 || j.BackoffLimit != 3 || j.TTLSecondsAfterFinished == nil || *j.TTLSecondsAfterFinished != 256 {
		t.Errorf("deadline %d, backoff %d, ttl %v; want 42, 3, 256", j.ActiveDeadlineSeconds, j.BackoffLimit, j.TTLSecondsAfterFinished)
	}
	if _, err := Run(in(tmpl(`"300"`))); err == nil || !strings.Contains(err.Error(), "job activeDeadlineSeconds must be a non-negative integer") {
		t.Errorf("a quoted deadline: got %v, want a problem", err)
	}
}

// TestHookTTLByArgoCDVersion: a ttlSecondsAfterFinished under MinHookTTL,
// from the hook, its template's defaults or its job, is refused unless the
// sidecar serves Argo CD 3.0 or newer (argo-cd#18884).
func TestHookTTLByArgoCDVersion(t *testing.T) {
	repo := func(hook, tmplDefaults, job string) fstest.MapFS {
		return fstest.MapFS{
			".hookgen/templates/t.yaml": {Data: []byte("apiVersion: hookgen.dev/v1alpha1\nkind: HookTemplate\nmetadata: {name: t}\nspec:\n" + tmplDefaults +
				"  job:\n" + job + "    template:\n      spec:\n        containers: [{name: main, image: \"ghcr.io/acme/tool:1.0\"}]\n")},
			"app/hookgen.yaml": {Data: []byte(setHeader + "hooks:\n  - {name: a, uses: t, phase: PreSync" + hook + "}\n")},
		}
	}
	const want = "ttlSecondsAfterFinished %d: Argo CD before 3.0 waits forever for a hook Job deleted before it saw the Job finish (argo-cd#18884); set at least 60"
	for _, tc := range []struct {
		name    string
		repo    fstest.MapFS
		at      string // file:line of the problem
		ttl     int
		refused bool
	}{
		{"hook 0", repo(", ttlSecondsAfterFinished: 0", "", ""), "app/hookgen.yaml:4", 0, true},
		{"hook 59", repo(", ttlSecondsAfterFinished: 59", "", ""), "app/hookgen.yaml:4", 59, true},
		{"hook 60", repo(", ttlSecondsAfterFinished: 60", "", ""), "", 60, false},
		{"template default 5", repo("", "  defaults: {ttlSecondsAfterFinished: 5}\n", ""), "app/hookgen.yaml:4", 5, true},
		{"job 0", repo("", "", "    ttlSecondsAfterFinished: 0\n"), ".hookgen/templates/t.yaml:6", 0, true},
		{"job unset", repo("", "", ""), "", 0, false},
	} {
		for _, v := range []struct {
			argo    hookspec.ArgoCDVersion
			refused bool
		}{{hookspec.ArgoCDVersion{}, tc.refused}, {hookspec.ArgoCDVersion{Major: 2, Minor: 14}, tc.refused}, {hookspec.ArgoCDVersion{Major: 3, Minor: 0}, false}, {hookspec.ArgoCDVersion{Major: 3, Minor: 3}, false}} {
			_, err := Run(Input{Repo: tc.repo, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}, RunnerImage: "runner:1", ArgoCD: v.argo}})
			switch {
			case v.refused && (err == nil || !strings.Contains(err.Error(), tc.at+":") || !strings.Contains(err.Error(), fmt.Sprintf(want, tc.ttl))):
				t.Errorf("%s, Argo CD %s: got %v, want %s: %s", tc.name, v.argo, err, tc.at, fmt.Sprintf(want, tc.ttl))
			case !v.refused && err != nil:
				t.Errorf("%s, Argo CD %s: %v", tc.name, v.argo, err)
			}
		}
	}
}
