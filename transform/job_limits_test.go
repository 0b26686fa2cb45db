package transform

import (
	"strings"
	"testing"
	"testing/fstest"
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
    ttlSecondsAfterFinished: 0x10
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
		return Input{Repo: repo, AppDir: "app", Context: Context{App: App{Name: "shop", Namespace: "shop"}, RunnerImage: "runner:1"}}
	}
	res, err := Run(in(tmpl("$(params.timeout)")))
	if err != nil {
		t.Fatal(err)
	}
	j := res.Jobs[0]
	if j.ActiveDeadlineSeconds != 42 || j.BackoffLimit != 3 || j.TTLSecondsAfterFinished == nil || *j.TTLSecondsAfterFinished != 16 {
		t.Errorf("deadline %d, backoff %d, ttl %v; want 42, 3, 16", j.ActiveDeadlineSeconds, j.BackoffLimit, j.TTLSecondsAfterFinished)
	}
	if _, err := Run(in(tmpl(`"300"`))); err == nil || !strings.Contains(err.Error(), "job activeDeadlineSeconds must be a non-negative integer") {
		t.Errorf("a quoted deadline: got %v, want a problem", err)
	}
}
