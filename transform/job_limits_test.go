package transform

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/jobgen"
	"github.com/hookgen/hookgen/internal/runnerenv"
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

func TestParseArgoCDVersion(t *testing.T) {
	for in, want := range map[string]hookspec.ArgoCDVersion{"3.3": {Major: 3, Minor: 3}, "v2.14.21": {Major: 2, Minor: 14}, "3.3.10+abc123": {Major: 3, Minor: 3}, "v3.0.0-rc1": {Major: 3, Minor: 0}, "10.1": {Major: 10, Minor: 1}} {
		if got, err := hookspec.ParseArgoCDVersion(in); err != nil || got != want {
			t.Errorf("ParseArgoCDVersion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "3", "three", "3.x", "1.8", "3.03", "3.3.1.1", "-3.3", "3..3"} {
		if got, err := hookspec.ParseArgoCDVersion(in); err == nil {
			t.Errorf("ParseArgoCDVersion(%q) = %v, want an error", in, got)
		}
	}
}

// TestRunnerEnvContract: a runner container gets exactly the variables of
// the runner contract (internal/runnerenv), in its order, each with a value
// of its own.
func TestRunnerEnvContract(t *testing.T) {
	app := hookspec.App{Name: "n", Namespace: "ns", Project: "p", Revision: "r", RevisionShort: "rs", RepoURL: "u", Path: "pa", TargetRevision: "t"}
	var names []string
	seen := map[string]string{}
	for _, e := range jobgen.RunnerEnv {
		names = append(names, e.Name)
		v := e.Get(app, "hook", hookspec.PostSync, "https://argocd.example.com")
		if v == "" {
			t.Errorf("%s has no value for a complete context", e.Name)
		}
		if other, dup := seen[v]; dup {
			t.Errorf("%s and %s carry the same value %q", e.Name, other, v)
		}
		seen[v] = e.Name
	}
	if !slices.Equal(names, runnerenv.Names) {
		t.Errorf("runner containers get %q; the contract is %q", names, runnerenv.Names)
	}
}
