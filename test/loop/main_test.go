package loop

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
	harness "github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// hookgenDir holds the hookgen binary built once for the package: the
// sidecar runs it, the tests ask it which Jobs an app has.
var hookgenDir string

func TestMain(m *testing.M) {
	os.Exit(harness.RunInNetns(func() int {
		// The scenarios mostly wait for Argo CD; run them all at once
		// unless -test.parallel says otherwise.
		flag.Parse()
		set := false
		flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
		if !set {
			_ = flag.Set("test.parallel", "16")
		}
		return tools.WithHookgen(func(dir string) int {
			hookgenDir = dir
			return m.Run()
		})
	}))
}

// env is one scenario's view of the shared stack.
type env struct {
	s    *harness.Stack
	argo cmpserver.Argo
}

// scenario runs on the stack of each Argo CD version.
type scenario struct {
	name string
	run  func(t *testing.T, e *env)
	// only restricts the scenario to one version.
	only cmpserver.Argo
}

// TestLoop brings up one stack per Argo CD version, one after the other,
// and runs every scenario on it in parallel, each with its own Application
// and namespaces. (Both stacks at once take longer on two cores, and
// twice the memory.)
func TestLoop(t *testing.T) {
	for _, argo := range []cmpserver.Argo{cmpserver.ArgoV2, cmpserver.ArgoV3} {
		t.Run(ArgoVersions[argo], func(t *testing.T) {
			opts, err := StackOptions(argo, hookgenDir)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			s := harness.Start(t, opts)
			if err := CheckPlugin(s); err != nil {
				t.Fatal(err)
			}
			t.Logf("Argo CD %s stack up in %.1fs", ArgoVersions[argo], time.Since(start).Seconds())
			e := &env{s: s, argo: argo}
			for _, sc := range scenarios {
				if sc.only != "" && sc.only != argo {
					continue
				}
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					sc.run(t, e)
				})
			}
		})
	}
}

func (e *env) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// prepare is Prepare for a test: the run is closed at cleanup, and its
// events are logged if the test failed.
func (e *env) prepare(t *testing.T, app App) *Run {
	t.Helper()
	r, err := Prepare(e.ctx(t), e.s, hookgenDir, app)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		if t.Failed() {
			t.Logf("events of %s:\n%s", app.Name, EventList(r.Events(time.Time{})))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			t.Logf("where Argo CD stands on %s:\n%s", app.Name, e.s.Diagnose(ctx, app.Name))
		}
	})
	return r
}

// sync runs one sync and checks its phase.
func (e *env) sync(t *testing.T, r *Run, phase string) *SyncReport {
	t.Helper()
	rep, err := r.Sync(e.ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sync %d: %s in %.1fs: %s", rep.Sync, rep.Phase, rep.Seconds, rep.Message)
	if rep.Phase != phase {
		t.Fatalf("sync %d: phase %s (%s), want %s; resources:\n%s", rep.Sync, rep.Phase, rep.Message, phase, resourceList(rep.Resources))
	}
	return rep
}

func resourceList(rs []Resource) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "  %s/%s %s/%s syncPhase=%s hookType=%s hookPhase=%s status=%s: %s\n",
			r.Group, r.Kind, r.Namespace, r.Name, r.SyncPhase, r.HookType, r.HookPhase, r.Status, r.Message)
	}
	return b.String()
}

// resource returns the syncResult entry of kind/name, or nil.
func resource(rep *SyncReport, kind, name string) *Resource {
	for i := range rep.Resources {
		if rep.Resources[i].Kind == kind && rep.Resources[i].Name == name {
			return &rep.Resources[i]
		}
	}
	return nil
}

// wantHook checks a hook Job's syncResult entry.
func wantHook(t *testing.T, rep *SyncReport, name, phase, hookPhase string) *Resource {
	t.Helper()
	r := resource(rep, "Job", name)
	if r == nil {
		t.Fatalf("sync %d: no Job %s in syncResult:\n%s", rep.Sync, name, resourceList(rep.Resources))
	}
	if r.SyncPhase != phase || r.HookType != phase || r.HookPhase != hookPhase {
		t.Errorf("sync %d: Job %s: syncPhase=%s hookType=%s hookPhase=%s (%s), want %s/%s/%s",
			rep.Sync, name, r.SyncPhase, r.HookType, r.HookPhase, r.Message, phase, phase, hookPhase)
	}
	// gitops-engine's Job health message.
	if hookPhase == "Succeeded" && r.Message != "Reached expected number of succeeded pods" {
		t.Errorf("sync %d: Job %s message %q", rep.Sync, name, r.Message)
	}
	return r
}

// wantSynced checks an app resource's syncResult entry.
func wantSynced(t *testing.T, rep *SyncReport, kind, name string) {
	t.Helper()
	r := resource(rep, kind, name)
	if r == nil {
		t.Fatalf("sync %d: no %s %s in syncResult:\n%s", rep.Sync, kind, name, resourceList(rep.Resources))
	}
	if r.SyncPhase != "Sync" || r.HookType != "" || r.Status != "Synced" {
		t.Errorf("sync %d: %s %s: syncPhase=%s hookType=%s status=%s (%s), want Sync, no hook, Synced",
			rep.Sync, kind, name, r.SyncPhase, r.HookType, r.Status, r.Message)
	}
	// kubectl's words: configmap/shop created, deployment.apps/shop configured, ...
	if !strings.Contains(r.Message, strings.ToLower(kind)) || !strings.Contains(r.Message, "/"+name+" ") {
		t.Errorf("sync %d: %s %s message %q", rep.Sync, kind, name, r.Message)
	}
}

func noResource(t *testing.T, rep *SyncReport, kind, name string) {
	t.Helper()
	if r := resource(rep, kind, name); r != nil {
		t.Errorf("sync %d: %s %s should not be in syncResult: %+v", rep.Sync, kind, name, *r)
	}
}

// index returns the index of the first event matching pred, or -1.
func index(events []Event, pred func(Event) bool) int {
	return slices.IndexFunc(events, pred)
}

func added(kind, name string) func(Event) bool {
	return func(e Event) bool { return e.Event == "ADDED" && e.Kind == kind && e.Name == name }
}

func deleted(kind, name string) func(Event) bool {
	return func(e Event) bool { return e.Event == "DELETED" && e.Kind == kind && e.Name == name }
}

func inPhase(kind, name, phase string) func(Event) bool {
	return func(e Event) bool { return e.Kind == kind && e.Name == name && e.Phase == phase }
}

func named(name string) func(Event) bool {
	return func(e Event) bool { return e.Name == name }
}

// appObject matches the events of the application's own objects.
func appObject(e Event) bool { return e.Hook == "" && e.Kind != "Pod" }

// appObjectGone matches the first sign of an app object's deletion.
func appObjectGone(e Event) bool {
	return appObject(e) && (e.Event == "DELETED" || e.Phase == "Deleting")
}

// The Application finalizers that hold a deletion until Argo CD has run
// the delete hooks.
const (
	preDeleteFinalizer  = "pre-delete-finalizer.argocd.argoproj.io"
	postDeleteFinalizer = "post-delete-finalizer.argocd.argoproj.io"
)

// step names an expected event for inOrder.
type step struct {
	what string
	pred func(Event) bool
}

// inOrder checks that each step's first event exists and comes after the
// previous step's.
func inOrder(t *testing.T, events []Event, steps ...step) {
	t.Helper()
	last, lastWhat := -1, ""
	for _, s := range steps {
		i := index(events, s.pred)
		if i < 0 {
			t.Errorf("no event for %q; events:\n%s", s.what, EventList(events))
			return
		}
		if i <= last {
			t.Errorf("%q (event %d) should come after %q (event %d); events:\n%s", s.what, i, lastWhat, last, EventList(events))
			return
		}
		last, lastWhat = i, s.what
	}
}

// object returns the last watched state of kind/name in events, or nil.
func object(events []Event, kind, name string) map[string]any {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == kind && events[i].Name == name {
			return events[i].Object
		}
	}
	return nil
}

// container returns the first container of a Job or Deployment.
func container(obj map[string]any) map[string]any {
	cs, _ := kubeapi.Nested(obj, "spec", "template", "spec", "containers").([]any)
	if len(cs) == 0 {
		return nil
	}
	c, _ := cs[0].(map[string]any)
	return c
}

func strs(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func annotation(obj map[string]any, key string) string {
	a, _ := kubeapi.Nested(obj, "metadata", "annotations").(map[string]any)
	s, _ := a[key].(string)
	return s
}
