package loop

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

var scenarios = []scenario{
	{name: "success", run: testSuccess},
	{name: "failure", run: testFailure},
	{name: "repeated", run: testRepeated},
	{name: "deletion", run: testDeletion},
	{name: "predelete-failure", run: testPreDeleteFailure, only: cmpserver.ArgoV3},
	{name: "multi-source", run: testMultiSource},
	{name: "params", run: testParams},
	{name: "generate-error", run: testGenerateError},
	{name: "command", run: testCommand, only: cmpserver.ArgoV3},
	{name: "example-shop", run: testExampleShop},
	{name: "example-shop-helm", run: testExampleShopHelm},
	{name: "example-notifications", run: testExampleNotifications},
	{name: "trap-ttl", run: testTrapTTL},
}

// success: PreSync hooks run wave by wave and complete before any object
// of the app is applied; PostSync runs once the Deployment is healthy;
// SyncFail does not run.
func testSuccess(t *testing.T, e *env) {
	r := e.prepare(t, App{Name: "success", Sources: []Source{{Dir: "testdata/success", Hookgen: true}}})
	rep := e.sync(t, r, "Succeeded")

	wantHook(t, rep, "migrate-presync", "PreSync", "Succeeded")
	wantHook(t, rep, "seed-presync", "PreSync", "Succeeded")
	wantHook(t, rep, "smoke-postsync", "PostSync", "Succeeded")
	for _, k := range []string{"ConfigMap", "Service", "Deployment"} {
		wantSynced(t, rep, k, "shop")
	}
	noResource(t, rep, "Job", "notify-syncfail")
	if rep.SyncStatus != "Synced" || rep.Health != "Healthy" {
		t.Errorf("application %s/%s after the sync, want Synced/Healthy", rep.SyncStatus, rep.Health)
	}

	ev := rep.Events
	if w := annotation(object(ev, "Job", "migrate-presync"), "argocd.argoproj.io/sync-wave"); w != "-1" {
		t.Errorf("migrate-presync sync-wave %q, want -1", w)
	}
	inOrder(t, ev,
		step{"migrate-presync (wave -1) created", added("Job", "migrate-presync")},
		step{"migrate-presync succeeded", inPhase("Job", "migrate-presync", "Succeeded")},
		step{"seed-presync (wave 0) created", added("Job", "seed-presync")},
		step{"seed-presync succeeded", inPhase("Job", "seed-presync", "Succeeded")},
		step{"first app object applied", appObject},
		step{"Deployment available", inPhase("Deployment", "shop", "Available")},
		step{"smoke-postsync created", added("Job", "smoke-postsync")},
		step{"smoke-postsync succeeded", inPhase("Job", "smoke-postsync", "Succeeded")},
	)
	if i := index(ev, named("notify-syncfail")); i >= 0 {
		t.Errorf("the SyncFail hook ran in a successful sync: %s", ev[i])
	}
}

// failure: a failing PreSync migration leaves the app's objects as they
// were, PostSync does not run, SyncFail does, and the operation fails.
func testFailure(t *testing.T, e *env) {
	ctx := e.ctx(t)
	r := e.prepare(t, App{Name: "failure", Sources: []Source{{Dir: "testdata/failure", Hookgen: true}}})
	rep1 := e.sync(t, r, "Succeeded")
	wantHook(t, rep1, "notify-postsync", "PostSync", "Succeeded")
	noResource(t, rep1, "Job", "notify-syncfail")
	if args := strs(container(object(rep1.Events, "Job", "notify-postsync"))["args"]); !slices.Equal(args, []string{"failure", "succeeded"}) {
		t.Errorf("notify-postsync args %q, want [failure succeeded]", args)
	}
	cm1, _, err := e.s.API.GetObject(ctx, "v1", "ConfigMap", "failure", "shop")
	if err != nil || cm1 == nil {
		t.Fatalf("ConfigMap after sync 1: %v", err)
	}

	// Revision 2 changes the app's objects; its migration fails.
	if _, err := r.Commit(ctx, 0, "shop 2", map[string]string{
		"configmap.yaml":  strings.Replace(readFile(t, "testdata/failure/configmap.yaml"), `version: "1"`, `version: "2"`, 1),
		"deployment.yaml": strings.ReplaceAll(readFile(t, "testdata/failure/deployment.yaml"), "shop:1.0.0", "shop:2.0.0"),
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.Fail(ctx, "migrate"); err != nil {
		t.Fatal(err)
	}
	rep2 := e.sync(t, r, "Failed")
	if rep2.Message != "one or more synchronization tasks completed unsuccessfully" {
		t.Errorf("sync 2 message %q", rep2.Message)
	}
	m := wantHook(t, rep2, "migrate-presync", "PreSync", "Failed")
	if !strings.Contains(m.Message, "backoff limit") {
		t.Errorf("migrate-presync message %q, want the Job's backoff-limit failure", m.Message)
	}
	wantHook(t, rep2, "notify-syncfail", "SyncFail", "Succeeded")
	for _, n := range []string{"smoke-postsync", "notify-postsync"} {
		noResource(t, rep2, "Job", n)
	}
	for _, res := range rep2.Resources {
		if res.HookType == "" {
			t.Errorf("sync 2 applied %s %s: %+v", res.Kind, res.Name, res)
		}
	}

	ev := rep2.Events
	inOrder(t, ev,
		step{"old migrate-presync deleted (BeforeHookCreation)", deleted("Job", "migrate-presync")},
		step{"migrate-presync created", added("Job", "migrate-presync")},
		step{"migrate-presync failed", inPhase("Job", "migrate-presync", "Failed")},
		step{"notify-syncfail created", added("Job", "notify-syncfail")},
		step{"notify-syncfail succeeded", inPhase("Job", "notify-syncfail", "Succeeded")},
	)
	for _, e := range ev {
		if appObject(e) || (e.Event == "ADDED" && (e.Name == "smoke-postsync" || e.Name == "notify-postsync")) {
			t.Errorf("sync 2 touched %s", e)
		}
	}
	if args := strs(container(object(ev, "Job", "notify-syncfail"))["args"]); !slices.Equal(args, []string{"failure", "failed"}) {
		t.Errorf("notify-syncfail args %q, want [failure failed]", args)
	}
	cm2, _, err := e.s.API.GetObject(ctx, "v1", "ConfigMap", "failure", "shop")
	if err != nil || cm2 == nil {
		t.Fatalf("ConfigMap after sync 2: %v", err)
	}
	if kubeapi.Nested(cm2, "data", "version") != "1" || kubeapi.Nested(cm2, "metadata", "resourceVersion") != kubeapi.Nested(cm1, "metadata", "resourceVersion") {
		t.Errorf("the failed sync changed the ConfigMap: %v", cm2["data"])
	}
	dep, _, err := e.s.API.GetObject(ctx, "apps/v1", "Deployment", "failure", "shop")
	if err != nil || dep == nil {
		t.Fatalf("Deployment after sync 2: %v", err)
	}
	if img := container(dep)["image"]; img != "registry.example/shop:1.0.0" {
		t.Errorf("the failed sync changed the Deployment's image to %v", img)
	}
}

// repeated: a fixed-name hook with BeforeHookCreation is deleted and
// created again on every sync (a new UID); a generateName hook gets a
// fresh name, <prefix><revision[:7]>-<phase>-<operation start unix time>.
func testRepeated(t *testing.T, e *env) {
	ctx := e.ctx(t)
	r := e.prepare(t, App{Name: "repeated", Sources: []Source{{Dir: "testdata/repeated", Hookgen: true}}})
	var reps []*SyncReport
	var revs []string
	for i := range 2 {
		if i > 0 {
			if _, err := r.Commit(ctx, 0, "revision 2", map[string]string{
				"configmap.yaml": strings.Replace(readFile(t, "testdata/repeated/configmap.yaml"), `version: "1"`, `version: "2"`, 1),
			}); err != nil {
				t.Fatal(err)
			}
		}
		revs = append(revs, r.Revision)
		reps = append(reps, e.sync(t, r, "Succeeded"))
	}
	// The last generateName Job is deleted after the operation ended.
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := r.WaitEvent(wctx, func(e Event) bool {
		return e.Event == "DELETED" && strings.HasPrefix(e.Name, "notify-postsync-"+revs[1][:7])
	}); err != nil {
		t.Errorf("the last notify-postsync Job not deleted: %v", err)
	}
	r.Finish(0)

	var uids, names []string
	for i, rep := range reps {
		wantHook(t, rep, "migrate-presync", "PreSync", "Succeeded")
		j := index(rep.Events, added("Job", "migrate-presync"))
		if j < 0 {
			t.Fatalf("sync %d: migrate-presync not created:\n%s", rep.Sync, EventList(rep.Events))
		}
		add := rep.Events[j]
		uids = append(uids, add.UID)
		if i > 0 {
			inOrder(t, rep.Events,
				step{"old migrate-presync deleted", func(e Event) bool { return e.Event == "DELETED" && e.UID == uids[i-1] }},
				step{"new migrate-presync created", func(e Event) bool { return e.Event == "ADDED" && e.UID == add.UID }},
			)
		}

		want := fmt.Sprintf("notify-postsync-%s-postsync-%d", revs[i][:7], rep.StartedAt.Unix())
		wantHook(t, rep, want, "PostSync", "Succeeded")
		names = append(names, want)
		inOrder(t, rep.Events,
			step{"migrate-presync succeeded", inPhase("Job", "migrate-presync", "Succeeded")},
			step{want + " created", added("Job", want)},
			step{want + " succeeded", inPhase("Job", want, "Succeeded")},
		)
	}
	// HookSucceeded deletes each generateName Job as its operation ends
	// (the deletion may be seen after the next sync started).
	all := r.Events(time.Time{})
	for _, n := range names {
		inOrder(t, all,
			step{n + " succeeded", inPhase("Job", n, "Succeeded")},
			step{n + " deleted (HookSucceeded)", deleted("Job", n)},
		)
	}
	if uids[0] == uids[1] {
		t.Errorf("migrate-presync kept its UID %s across syncs", uids[0])
	}
	if names[0] == names[1] {
		t.Errorf("the generateName hook got the same name twice: %s", names[0])
	}
	job, found, err := e.s.API.GetObject(ctx, "batch/v1", "Job", "repeated", "migrate-presync")
	if err != nil || !found || kubeapi.Nested(job, "metadata", "uid") != uids[1] {
		t.Errorf("the last migrate-presync should stay (BeforeHookCreation only): found=%v err=%v", found, err)
	}
}

// deletion: deleting the Application runs its PostDelete hook, in a
// namespace that outlives the app, after the app's objects are gone. Argo
// CD 3.3 and later first run the PreDelete hook, before any object of the
// app goes; 2.14 has no PreDelete hooks and deletes the app without it.
func testDeletion(t *testing.T, e *env) {
	ctx := e.ctx(t)
	preDelete := e.argo == cmpserver.ArgoV3
	r := e.prepare(t, App{Name: "deletion", Sources: []Source{{Dir: "testdata/deletion", Hookgen: true}}})
	rep := e.sync(t, r, "Succeeded")
	wantSynced(t, rep, "ConfigMap", "shop")
	if rep.SyncStatus != "Synced" || rep.Health != "Healthy" {
		t.Errorf("application %s/%s with delete hooks, want Synced/Healthy", rep.SyncStatus, rep.Health)
	}
	for _, n := range []string{"backup-predelete", "cleanup-postdelete"} {
		noResource(t, rep, "Job", n)
		if i := index(rep.Events, named(n)); i >= 0 {
			t.Errorf("a delete hook ran in a sync: %s", rep.Events[i])
		}
	}
	app, err := e.s.App(ctx, "deletion")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(app.Finalizers, postDeleteFinalizer) {
		t.Errorf("Argo CD did not add its PostDelete finalizer: %q", app.Finalizers)
	}
	if got := slices.Contains(app.Finalizers, preDeleteFinalizer); got != preDelete {
		t.Errorf("Argo CD %s: PreDelete finalizer %v, want %v: %q", ArgoVersions[e.argo], got, preDelete, app.Finalizers)
	}

	del, err := r.Delete(ctx)
	if err != nil {
		t.Fatalf("delete: %v (%+v)", err, del)
	}
	t.Logf("application deleted in %.1fs", del.Seconds)
	// Argo CD may remove the Application before the deleted hook Job is
	// gone (its pods are deleted first).
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := r.WaitEvent(wctx, deleted("Job", "cleanup-postdelete")); err != nil {
		t.Errorf("cleanup-postdelete not deleted: %v", err)
	}
	r.Finish(0)
	postDelete := []step{
		{"ConfigMap deleted", deleted("ConfigMap", "shop")},
		{"cleanup-postdelete created", added("Job", "cleanup-postdelete")},
		{"cleanup-postdelete succeeded", inPhase("Job", "cleanup-postdelete", "Succeeded")},
		{"cleanup-postdelete deleted (HookSucceeded)", deleted("Job", "cleanup-postdelete")},
	}
	if preDelete {
		inOrder(t, del.Events, append([]step{
			{"backup-predelete created", added("Job", "backup-predelete")},
			{"backup-predelete succeeded", inPhase("Job", "backup-predelete", "Succeeded")},
			{"first app object deleted", appObjectGone},
		}, postDelete...)...)
		if i := index(del.Events, added("Job", "backup-predelete")); i >= 0 && del.Events[i].Namespace != "deletion" {
			t.Errorf("backup-predelete ran in %s, want the app's namespace deletion", del.Events[i].Namespace)
		}
		if args := strs(container(object(del.Events, "Job", "backup-predelete"))["args"]); !slices.Equal(args, []string{"deletion"}) {
			t.Errorf("backup-predelete args %q, want [deletion]", args)
		}
	} else {
		inOrder(t, del.Events, postDelete...)
		if i := index(r.Events(time.Time{}), named("backup-predelete")); i >= 0 {
			t.Errorf("Argo CD %s ran a PreDelete hook", ArgoVersions[e.argo])
		}
		t.Logf("Argo CD %s deleted the application without running its PreDelete hook (PreDelete needs Argo CD 3.3)", ArgoVersions[e.argo])
	}
	if i := index(del.Events, added("Job", "cleanup-postdelete")); i >= 0 && del.Events[i].Namespace != "deletion-ops" {
		t.Errorf("cleanup-postdelete ran in %s, want deletion-ops", del.Events[i].Namespace)
	}
	if _, found, err := e.s.API.GetObject(ctx, "v1", "Namespace", "", "deletion-ops"); err != nil || !found {
		t.Errorf("namespace deletion-ops gone: %v", err)
	}
}

// predelete-failure: a failing PreDelete hook blocks the deletion (Argo
// CD 3.3 and later): the Application stays, Deleting, and so do its
// objects, while Argo CD deletes the failed Job and runs it again. Once
// the hook succeeds, the deletion goes on.
func testPreDeleteFailure(t *testing.T, e *env) {
	ctx := e.ctx(t)
	r := e.prepare(t, App{Name: "predelete-failure", Sources: []Source{{Dir: "testdata/predelete-failure", Hookgen: true}}})
	e.sync(t, r, "Succeeded")
	if err := r.Fail(ctx, "backup"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	type result struct {
		rep *DeleteReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := r.Delete(ctx)
		done <- result{rep, err}
	}()

	// Two failed runs: the first, and the one Argo CD starts again after
	// deleting it.
	failed := inPhase("Job", "backup-predelete", "Failed")
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		var uids []string
		for _, ev := range r.Events(start) {
			if failed(ev) && !slices.Contains(uids, ev.UID) {
				uids = append(uids, ev.UID)
			}
		}
		if len(uids) >= 2 {
			t.Logf("backup-predelete failed %d times; the deletion waits", len(uids))
			break
		}
		select {
		case res := <-done:
			t.Fatalf("the Application was deleted although its PreDelete hook failed: %+v %v", res.rep, res.err)
		case <-wctx.Done():
			t.Fatalf("backup-predelete did not fail twice: %v; events:\n%s", wctx.Err(), EventList(r.Events(start)))
		case <-time.After(200 * time.Millisecond):
		}
	}
	app, err := e.s.App(ctx, "predelete-failure")
	if err != nil {
		t.Fatalf("the Application is gone while its PreDelete hook fails: %v", err)
	}
	if app.DeletionTimestamp == nil || !slices.Contains(app.Finalizers, preDeleteFinalizer) {
		t.Errorf("want a Deleting Application held by %s: deletionTimestamp %v, finalizers %q", preDeleteFinalizer, app.DeletionTimestamp, app.Finalizers)
	}
	if cm, found, err := e.s.API.GetObject(ctx, "v1", "ConfigMap", "predelete-failure", "shop"); err != nil || !found || kubeapi.Nested(cm, "metadata", "deletionTimestamp") != nil {
		t.Errorf("the app's ConfigMap should stay untouched while PreDelete fails: found=%v err=%v", found, err)
	}
	if i := index(r.Events(start), appObjectGone); i >= 0 {
		t.Errorf("an app object went while PreDelete failed: %s", r.Events(start)[i])
	}

	// The backup works again: the deletion completes.
	if err := r.Unfail(ctx); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("delete after the hook was fixed: %v (%+v)", res.err, res.rep)
	}
	t.Logf("application deleted %.1fs after the request", res.rep.Seconds)
	inOrder(t, res.rep.Events,
		step{"backup-predelete failed", failed},
		step{"backup-predelete succeeded", inPhase("Job", "backup-predelete", "Succeeded")},
		step{"ConfigMap deleted", deleted("ConfigMap", "shop")},
	)
}

// multi-source: plain manifests from one source, hookgen's hooks from a
// hooks-only directory in a second source of the same Application.
func testMultiSource(t *testing.T, e *env) {
	r := e.prepare(t, App{Name: "multi-source", Sources: []Source{
		{Dir: "testdata/multi-source/manifests"},
		{Dir: "testdata/multi-source/hooks", Hookgen: true},
	}})
	rep := e.sync(t, r, "Succeeded")
	wantHook(t, rep, "migrate-presync", "PreSync", "Succeeded")
	wantSynced(t, rep, "ConfigMap", "shop")
	wantSynced(t, rep, "Deployment", "shop")
	wantHook(t, rep, "smoke-postsync", "PostSync", "Succeeded")
	inOrder(t, rep.Events,
		step{"migrate-presync succeeded", inPhase("Job", "migrate-presync", "Succeeded")},
		step{"first app object applied", appObject},
		step{"Deployment available", inPhase("Deployment", "shop", "Available")},
		step{"smoke-postsync created", added("Job", "smoke-postsync")},
	)
	app, err := e.s.App(e.ctx(t), "multi-source")
	if err != nil {
		t.Fatal(err)
	}
	if got := app.Status.SourceTypes; !slices.Equal(got, []v1alpha1.ApplicationSourceType{"Directory", "Plugin"}) {
		t.Errorf("source types %q, want [Directory Plugin]", got)
	}
	if rep.SyncStatus != "Synced" || rep.Health != "Healthy" {
		t.Errorf("application %s/%s, want Synced/Healthy", rep.SyncStatus, rep.Health)
	}
}

// params: the Application's plugin env and parameters change the hooks as
// documented: disable and enable hooks, hook.<name> overrides a with
// value, $(env.X) is ARGOCD_ENV_X; changing them changes the next sync.
func testParams(t *testing.T, e *env) {
	ctx := e.ctx(t)
	r := e.prepare(t, App{
		Name:    "params",
		Sources: []Source{{Dir: "testdata/params", Hookgen: true}},
		Env:     map[string]string{"TEAM": "checkout"},
		Params: []v1alpha1.ApplicationSourcePluginParameter{
			{Name: "disable", OptionalArray: &v1alpha1.OptionalArray{Array: []string{"smoke"}}},
			{Name: "enable", OptionalArray: &v1alpha1.OptionalArray{Array: []string{"seed"}}},
			{Name: "hook.migrate", OptionalMap: &v1alpha1.OptionalMap{Map: map[string]string{"image": "registry.example/shop:1.1.0"}}},
		},
	})
	rep1 := e.sync(t, r, "Succeeded")
	wantHook(t, rep1, "migrate-presync", "PreSync", "Succeeded")
	wantHook(t, rep1, "notify-postsync", "PostSync", "Succeeded")
	wantHook(t, rep1, "seed-postsync", "PostSync", "Succeeded")
	noResource(t, rep1, "Job", "smoke-postsync")
	if i := index(rep1.Events, named("smoke-postsync")); i >= 0 {
		t.Errorf("the disabled hook ran: %s", rep1.Events[i])
	}
	inOrder(t, rep1.Events,
		step{"migrate-presync succeeded", inPhase("Job", "migrate-presync", "Succeeded")},
		step{"ConfigMap applied", added("ConfigMap", "shop")},
		step{"notify-postsync created", added("Job", "notify-postsync")},
	)
	if img := container(object(rep1.Events, "Job", "migrate-presync"))["image"]; img != "registry.example/shop:1.1.0" {
		t.Errorf("migrate-presync image %v, want hook.migrate's registry.example/shop:1.1.0", img)
	}
	if args := strs(container(object(rep1.Events, "Job", "notify-postsync"))["args"]); !slices.Equal(args, []string{"--team=checkout", "succeeded"}) {
		t.Errorf("notify-postsync args %q, want [--team=checkout succeeded]", args)
	}

	// No parameters, another team.
	if err := r.SetPlugin(ctx, map[string]string{"TEAM": "payments"}, nil); err != nil {
		t.Fatal(err)
	}
	rep2 := e.sync(t, r, "Succeeded")
	wantHook(t, rep2, "smoke-postsync", "PostSync", "Succeeded")
	noResource(t, rep2, "Job", "seed-postsync")
	inOrder(t, rep2.Events,
		step{"migrate-presync succeeded", inPhase("Job", "migrate-presync", "Succeeded")},
		step{"smoke-postsync created", added("Job", "smoke-postsync")},
	)
	if img := container(object(rep2.Events, "Job", "migrate-presync"))["image"]; img != "registry.example/shop:1.0.0" {
		t.Errorf("migrate-presync image %v, want hookgen.yaml's registry.example/shop:1.0.0", img)
	}
	if args := strs(container(object(rep2.Events, "Job", "notify-postsync"))["args"]); !slices.Equal(args, []string{"--team=payments", "succeeded"}) {
		t.Errorf("notify-postsync args %q, want [--team=payments succeeded]", args)
	}
}

// generate-error: when hookgen refuses an app (here: $(env.TEAM) with no
// TEAM in the plugin env), the sync ends in Error with hookgen's own
// file:line message, and nothing is applied.
func testGenerateError(t *testing.T, e *env) {
	r := e.prepare(t, App{Name: "generate-error", Sources: []Source{{Dir: "testdata/params", Hookgen: true}}})
	want := `apps/generate-error/hookgen.yaml:20: hook "notify": $(env.TEAM): the Application sets no plugin env TEAM (ARGOCD_ENV_TEAM)`
	if len(r.Problems) != 1 || !strings.HasPrefix(r.Problems[0], want) {
		t.Errorf("hookgen validate found %q, want %q", r.Problems, want)
	}
	rep := e.sync(t, r, "Error")
	if !strings.Contains(rep.Message, "`hookgen generate` failed exit status 1: "+want) {
		t.Errorf("sync message %q does not carry hookgen's %q", rep.Message, want)
	}
	if len(rep.Resources) != 0 || len(rep.Events) != 0 {
		t.Errorf("a sync that could not generate changed something: %v\n%s", rep.Resources, EventList(rep.Events))
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
