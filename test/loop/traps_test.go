package loop

import (
	"strings"
	"testing"
	"time"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
)

// trap-ttl: a hook Job the TTL controller deletes as soon as it finishes
// (ttlSecondsAfterFinished: 0). Argo CD 2.14 never sees it finish and
// waits forever (argo-cd#18884); 3.3 holds hook Jobs with a finalizer
// until it has. hookgen refuses the setting unless the sidecar's
// HOOKGEN_ARGOCD_VERSION, which this stack sets to its release, names
// 3.0 or newer.
func testTrapTTL(t *testing.T, e *env) {
	plain := e.prepare(t, App{Name: "trap-ttl-plain", Sources: []Source{{Dir: "testdata/trap-ttl/plain"}}, Timeout: 45 * time.Second})
	gen := e.prepare(t, App{Name: "trap-ttl-hookgen", Sources: []Source{{Dir: "testdata/trap-ttl/hookgen", Hookgen: true}}})
	if e.argo == cmpserver.ArgoV2 {
		rep, err := plain.Sync(e.ctx(t))
		if err == nil || rep.Phase != "Running" {
			t.Fatalf("the hand-written hook: sync ended %s (%s), err %v; Argo CD 2.14 should still be waiting", rep.Phase, rep.Message, err)
		}
		t.Logf("the hand-written hook, after %.0fs: %s: %s", rep.Seconds, rep.Phase, rep.Message)
		if !strings.Contains(rep.Message, "waiting for completion of hook batch/Job/migrate") {
			t.Errorf("operation message %q, want Argo CD waiting for the hook", rep.Message)
		}
		inOrder(t, rep.Events,
			step{"migrate succeeded", inPhase("Job", "migrate", "Succeeded")},
			step{"migrate deleted by its TTL", deleted("Job", "migrate")},
		)
		if i := index(rep.Events, added("ConfigMap", "shop")); i >= 0 {
			t.Errorf("the app was applied although its PreSync hook never counted as done: %s", rep.Events[i])
		}

		want := `apps/trap-ttl-hookgen/hookgen.yaml:8: hook "migrate": ttlSecondsAfterFinished 0: Argo CD before 3.0 waits forever`
		if len(gen.Problems) != 1 || !strings.HasPrefix(gen.Problems[0], want) {
			t.Fatalf("hookgen validate found %q, want %q", gen.Problems, want)
		}
		rep = e.sync(t, gen, "Error")
		if !strings.Contains(rep.Message, want) {
			t.Errorf("sync message %q does not carry hookgen's %q", rep.Message, want)
		}
		return
	}
	rep := e.sync(t, plain, "Succeeded")
	inOrder(t, rep.Events,
		step{"migrate succeeded", inPhase("Job", "migrate", "Succeeded")},
		step{"ConfigMap applied", added("ConfigMap", "shop")},
	)
	if len(gen.Problems) != 0 {
		t.Fatalf("with HOOKGEN_ARGOCD_VERSION=%s hookgen still refuses: %q", ArgoVersions[e.argo], gen.Problems)
	}
	rep = e.sync(t, gen, "Succeeded")
	wantHook(t, rep, "migrate-presync", "PreSync", "Succeeded")
	wantSynced(t, rep, "ConfigMap", "shop")
}
