package loop_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
	"github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/proc"
)

func TestMain(m *testing.M) { os.Exit(loop.Main(m)) }

// generator stands in for hookgen: a PreSync Job (its pod fails when
// ARGOCD_ENV_FAIL=true), a ConfigMap carrying ARGOCD_ENV_RUN, a PostSync
// Job and a SyncFail Job.
const generator = `#!/bin/sh
set -eu
fail_label=""
if [ "${ARGOCD_ENV_FAIL:-false}" = true ]; then fail_label="kwok-fail: \"true\""; fi
job() { # name hook [pod label line]
cat <<END
---
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
  annotations:
    argocd.argoproj.io/hook: $2
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
spec:
  backoffLimit: 0
  template:
    metadata:
      labels:
        app: demo
        ${3:-}
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: [sh, -c, "true"]
END
}
job presync PreSync "$fail_label"
cat <<END
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  run: "${ARGOCD_ENV_RUN}"
END
job postsync PostSync
job syncfail SyncFail
`

const pluginYAML = `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: gen
spec:
  generate:
    command: [loop-generator]
  discover:
    fileName: "./hookgen.txt"
`

// directJob is a Job applied without Argo CD.
func directJob(name string) string {
	return `apiVersion: batch/v1
kind: Job
metadata: {name: ` + name + `}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox:1.36}]
`
}

const directDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: direct}
spec:
  replicas: 2
  selector: {matchLabels: {app: direct}}
  template:
    metadata: {labels: {app: direct}}
    spec:
      containers: [{name: main, image: busybox:1.36}]
`

func waitEvent(ctx context.Context, rec *loop.Recorder, pred func(loop.Event) bool) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return proc.Poll(ctx, 100*time.Millisecond, func() (bool, error) {
		_, ok := rec.Find(pred)
		return ok, nil
	})
}

func resultOf(st *v1alpha1.OperationState, kind, name string) *v1alpha1.ResourceResult {
	if st == nil || st.SyncResult == nil {
		return nil
	}
	for _, r := range st.SyncResult.Resources {
		if r.Kind == kind && r.Name == name {
			return r
		}
	}
	return nil
}

func TestHookSyncLoop(t *testing.T) {
	if in, why := loop.Netns(); !in {
		t.Logf("running without a private network namespace: %s", why)
	}
	for _, argo := range []cmpserver.Argo{cmpserver.ArgoV2, cmpserver.ArgoV3} {
		t.Run(string(argo), func(t *testing.T) {
			bin := t.TempDir()
			if err := os.WriteFile(filepath.Join(bin, "loop-generator"), []byte(generator), 0o755); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			s := loop.Start(t, loop.Options{
				Argo:       argo,
				PluginYAML: []byte(pluginYAML),
				PluginPATH: bin + ":" + os.Getenv("PATH"),
				Namespaces: []string{"demo"},
			})
			t.Logf("stack up in %s", time.Since(start).Round(time.Millisecond))
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()

			if _, err := s.Repo.Commit("demo app", map[string]string{"apps/demo/hookgen.txt": "hooks\n"}); err != nil {
				t.Fatal(err)
			}
			rec := s.Record(t, "demo", loop.Jobs, loop.ConfigMaps, loop.Deployments)

			// FailJobs: kwok fails the pods of the named Jobs (exact name or
			// prefix); the pods of any other Job complete.
			if _, err := s.FailJobs(ctx, loop.JobFailure{Namespace: "demo", Names: []string{"direct-fail"}, Prefixes: []string{"direct-gen-"}}); err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"direct-fail", "direct-gen-abc", "direct-ok"} {
				if _, err := s.API.Apply(ctx, "demo", []byte(directJob(n))); err != nil {
					t.Fatal(err)
				}
			}
			// A Deployment becomes Available: its pods run (kwok) and are ready.
			if _, err := s.API.Apply(ctx, "demo", []byte(directDeployment)); err != nil {
				t.Fatal(err)
			}
			if err := waitEvent(ctx, rec, func(e loop.Event) bool {
				return e.Kind == "Deployment" && e.Name == "direct" && kubeapi.Nested(e.Object, "status", "availableReplicas") == float64(2)
			}); err != nil {
				t.Fatalf("Deployment not available: %v\n%s", err, rec)
			}
			for n, ok := range map[string]bool{"direct-fail": false, "direct-gen-abc": false, "direct-ok": true} {
				if err := waitEvent(ctx, rec, loop.JobFinished(n, ok)); err != nil {
					t.Fatalf("Job %s did not end %v: %v\n%s", n, map[bool]string{true: "Complete", false: "Failed"}[ok], err, rec)
				}
			}
			app := s.NewApp("demo", "apps/demo", "gen", "demo", map[string]string{"FAIL": "false", "RUN": "1"})
			if err := s.CreateApp(ctx, app); err != nil {
				t.Fatal(err)
			}

			// Success: PreSync completes before the ConfigMap is applied,
			// then PostSync runs.
			syncStart := time.Now()
			st, err := s.Sync(ctx, "demo", loop.SyncOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("sync 1: %s in %s: %s", st.Phase, time.Since(syncStart).Round(time.Millisecond), st.Message)
			if st.Phase != "Succeeded" {
				t.Fatalf("sync 1 phase %s: %s", st.Phase, st.Message)
			}
			for _, n := range []string{"presync", "postsync"} {
				if r := resultOf(st, "Job", n); r == nil || r.HookPhase != "Succeeded" {
					t.Errorf("Job %s result = %+v", n, r)
				}
			}
			if r := resultOf(st, "Job", "syncfail"); r != nil {
				t.Errorf("SyncFail hook ran on success: %+v", r)
			}
			preDone, ok1 := rec.Find(loop.JobFinished("presync", true))
			cmSeen, ok2 := rec.Find(func(e loop.Event) bool { return e.Kind == "ConfigMap" && e.Name == "app-config" })
			postAdded, ok3 := rec.Find(func(e loop.Event) bool { return e.Kind == "Job" && e.Name == "postsync" })
			if !ok1 || !ok2 || !ok3 || !preDone.Time.Before(cmSeen.Time) || !cmSeen.Time.Before(postAdded.Time) {
				t.Errorf("order PreSync complete < ConfigMap < PostSync violated:\n%s", rec)
			}

			// Failure: the PreSync pod fails; the ConfigMap keeps run=1, no
			// PostSync, the SyncFail hook runs, the operation fails.
			if err := s.SetPluginEnv(ctx, "demo", map[string]string{"FAIL": "true", "RUN": "2"}); err != nil {
				t.Fatal(err)
			}
			syncStart = time.Now()
			st, err = s.Sync(ctx, "demo", loop.SyncOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("sync 2: %s in %s: %s", st.Phase, time.Since(syncStart).Round(time.Millisecond), st.Message)
			if st.Phase != "Failed" {
				t.Fatalf("sync 2 phase %s: %s", st.Phase, st.Message)
			}
			if r := resultOf(st, "Job", "presync"); r == nil || r.HookPhase != "Failed" {
				t.Errorf("presync result = %+v", r)
			}
			if r := resultOf(st, "Job", "syncfail"); r == nil || r.HookPhase != "Succeeded" {
				t.Errorf("syncfail result = %+v", r)
			}
			if r := resultOf(st, "Job", "postsync"); r != nil {
				t.Errorf("PostSync ran after a failed PreSync: %+v", r)
			}
			cm, found, err := s.API.GetObject(ctx, "v1", "ConfigMap", "demo", "app-config")
			if err != nil || !found {
				t.Fatalf("ConfigMap: %v %v", found, err)
			}
			if run := cm["data"].(map[string]any)["run"]; run != "1" {
				t.Errorf("ConfigMap run = %v after the failed sync, want 1", run)
			}

			// Deleting the app deletes its resources (resources finalizer).
			delStart := time.Now()
			if err := s.DeleteApp(ctx, "demo", time.Minute); err != nil {
				t.Fatal(err)
			}
			t.Logf("app deleted in %s", time.Since(delStart).Round(time.Millisecond))
			if _, found, err := s.API.GetObject(ctx, "v1", "ConfigMap", "demo", "app-config"); err != nil || found {
				t.Errorf("ConfigMap still there after deleting the app: %v", err)
			}
			if testing.Verbose() {
				t.Logf("events:\n%s", strings.TrimSpace(rec.String()))
			}
			stopStart := time.Now()
			if err := s.Stop(); err != nil {
				t.Error(err)
			}
			t.Logf("stack stopped in %s", time.Since(stopStart).Round(time.Millisecond))
		})
	}
}
