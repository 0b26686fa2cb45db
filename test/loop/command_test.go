package loop

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	harness "github.com/hookgen/hookgen/test/internal/loop"
)

// testCommand runs cmd/hookgen-loop's code on the shared stack: one sync
// with a failing migration, the JSON report on stdout.
func testCommand(t *testing.T, e *env) {
	var stdout, stderr bytes.Buffer
	cenv := CommandEnv{HookgenDir: hookgenDir, Stack: func(_ context.Context, argo cmpserver.Argo, _ string) (*harness.Stack, error) {
		if argo != e.argo {
			t.Errorf("the command asked for %s, want %s", argo, e.argo)
		}
		return e.s, nil
	}}
	args := []string{"--app", "testdata/failure", "--name", "cmd-failure", "--fail", "migrate", "--argocd", "v3", "--syncs", "1"}
	code := Command(e.ctx(t), args, &stdout, &stderr, cenv)
	t.Logf("stderr:\n%s", stderr.String())
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var rep Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not a report: %v\n%s", err, stdout.String())
	}
	if rep.ArgoCD != ArgoVersions[e.argo] || rep.Application != "cmd-failure" || rep.Namespace != "cmd-failure" || len(rep.Sources) != 1 || rep.Sources[0].Plugin != PluginName {
		t.Errorf("report header %+v", rep)
	}
	if strings.Join(rep.Failing, ",") != "migrate-presync" {
		t.Errorf("failing %q, want [migrate-presync]", rep.Failing)
	}
	if len(rep.Syncs) != 1 || rep.Delete != nil {
		t.Fatalf("%d syncs and delete %v, want 1 sync and no deletion", len(rep.Syncs), rep.Delete)
	}
	s := rep.Syncs[0]
	if s.Phase != "Failed" || s.Revision == "" || s.StartedAt.IsZero() {
		t.Errorf("sync %+v", s)
	}
	wantHook(t, s, "migrate-presync", "PreSync", "Failed")
	wantHook(t, s, "notify-syncfail", "SyncFail", "Succeeded")
	inOrder(t, s.Events,
		step{"migrate-presync failed", inPhase("Job", "migrate-presync", "Failed")},
		step{"notify-syncfail created", added("Job", "notify-syncfail")},
	)
	for _, ev := range s.Events {
		if ev.Time.IsZero() || ev.UID == "" || ev.Namespace != "cmd-failure" {
			t.Errorf("event %+v", ev)
		}
	}

	// A hook the app does not have: exit code 2, the app's hooks named.
	var out, errb bytes.Buffer
	code = Command(e.ctx(t), []string{"--app", "testdata/success", "--name", "cmd-nope", "--fail", "nope"}, &out, &errb, cenv)
	if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), `no hook or Job "nope"; the app has: migrate (migrate-presync), seed (seed-presync)`) {
		t.Errorf("--fail nope: exit code %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}

	// Wrong command lines: exit code 2 and a message, nothing started.
	for _, bad := range [][]string{
		{},
		{"--app", "testdata/multi-source"},
		{"--app", "testdata/success", "--argocd", "v9"},
		{"--app", "testdata/success", "--param", "hook.migrate=x"},
		{"--app", "testdata/success", "extra"},
		{"--app", "testdata/success", "--node", "vm"},
		{"--app", "testdata/success", "--node", "real", "--fail", "migrate"},
	} {
		var out, errb bytes.Buffer
		noStack := CommandEnv{HookgenDir: hookgenDir, Stack: func(context.Context, cmpserver.Argo, string) (*harness.Stack, error) {
			t.Errorf("%q started a stack", bad)
			return e.s, nil
		}}
		if code := Command(e.ctx(t), bad, &out, &errb, noStack); code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "hookgen-loop: ") {
			t.Errorf("%q: exit code %d, stdout %q, stderr %q", bad, code, out.String(), errb.String())
		}
	}
}

func TestWantsRealNode(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"--app", "x", "--node", "real"}, true},
		{[]string{"--node=real", "--app", "x"}, true},
		{[]string{"-node", "real"}, true},
		{[]string{"--app", "x"}, false},
		{[]string{"--node", "kwok"}, false},
		{[]string{"--node"}, false},
		{[]string{"--", "--node", "real"}, false},
	} {
		if got := WantsRealNode(tc.args); got != tc.want {
			t.Errorf("WantsRealNode(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
