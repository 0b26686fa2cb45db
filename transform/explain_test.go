package transform

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/explain"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/jobgen"
	"github.com/hookgen/hookgen/internal/yamlio"
)

func explainOf(t *testing.T, files map[string]string) *explain.Timeline {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	res, err := Run(Input{Repo: fsys, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}, RunnerImage: "runner:1"}})
	if err != nil {
		t.Fatal(err)
	}
	return explain.Explain(res)
}

func noteKeys(t *explain.Timeline) []string {
	var keys []string
	for _, n := range t.Notes {
		keys = append(keys, n.Key)
	}
	return keys
}

func TestExplain(t *testing.T) {
	tl := explainOf(t, map[string]string{
		"app/hookgen.yaml": setHeader + `hooks:
  - {name: migrate, uses: migration, with: {image: "a:1"}}
  - {name: seed, uses: job, phase: PreSync, wave: 2, with: {image: "a:1"}}
  - {name: smoke, uses: job, phase: PostSync, deletePolicy: HookSucceeded, with: {image: "a:1"}}
  - {name: notify, uses: job, phase: [PostSync, SyncFail], generateName: true, ttlSecondsAfterFinished: 60, with: {image: "a:1"}}
  - {name: backup, uses: job, phase: PreDelete, with: {image: "a:1"}}
  - {name: cleanup, uses: job, phase: PostDelete, with: {image: "a:1"}}
`,
		"app/cm.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: early\n  annotations: {argocd.argoproj.io/sync-wave: \"-3\"}\n",
		"app/dep.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late}\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: own\n  annotations: {argocd.argoproj.io/hook: \"PostSync, SyncFail\"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: skipped\n  annotations: {argocd.argoproj.io/hook: Skip}\n",
	})
	waves := func(s explain.Stage) (out [][2]any) {
		for _, w := range s.Waves {
			var names []string
			for _, j := range w.Jobs {
				names = append(names, j.Name)
			}
			for _, m := range w.Resources {
				names = append(names, m.Kind+"/"+m.Name)
			}
			out = append(out, [2]any{w.Wave, names})
		}
		return out
	}
	check := func(what string, got, want [][2]any) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
		for i := range got {
			if got[i][0] != want[i][0] || !slices.Equal(got[i][1].([]string), want[i][1].([]string)) {
				t.Errorf("%s: %v, want %v", what, got, want)
			}
		}
	}
	if tl.Sync[0].Phase != hookspec.PreSync || tl.Sync[1].Phase != hookspec.Sync || tl.Sync[2].Phase != hookspec.PostSync || tl.Fail.Phase != hookspec.SyncFail || tl.Delete[0].Phase != hookspec.PreDelete || tl.Delete[1].Phase != "" || tl.Delete[2].Phase != hookspec.PostDelete {
		t.Fatalf("stages out of Argo CD's order: %+v", tl)
	}
	check("PreSync", waves(tl.Sync[0]), [][2]any{{-1, []string{"migrate-presync"}}, {2, []string{"seed-presync"}}})
	check("Sync", waves(tl.Sync[1]), [][2]any{{-3, []string{"ConfigMap/early"}}, {0, []string{"ConfigMap/late"}}})
	check("PostSync", waves(tl.Sync[2]), [][2]any{{0, []string{"notify-postsync-", "smoke-postsync", "Job/own"}}})
	check("SyncFail", waves(tl.Fail), [][2]any{{0, []string{"notify-syncfail-", "Job/own"}}})
	check("PreDelete", waves(tl.Delete[0]), [][2]any{{0, []string{"backup-predelete"}}})
	check("PostDelete", waves(tl.Delete[2]), [][2]any{{0, []string{"cleanup-postdelete"}}})
	want := []string{"selective-sync", "postsync-health", "predelete-version", "postdelete-version", "delete-renders", "postdelete-namespace", "immutable-job"}
	if got := noteKeys(tl); !slices.Equal(got, want) {
		t.Errorf("notes %v, want %v", got, want)
	}
	for _, n := range tl.Notes {
		if n.Key == "immutable-job" && (len(n.Jobs) != 1 || n.Jobs[0].Name != "smoke-postsync") {
			t.Errorf("immutable-job names %v, want smoke-postsync", n.Jobs)
		}
	}
}

func TestExplainQuiet(t *testing.T) {
	// A hooks-only app with one PreSync hook: no deletion notes, no PostSync note.
	tl := explainOf(t, map[string]string{"app/hookgen.yaml": setHeader + "hooks:\n  - {name: m, uses: migration, with: {image: \"a:1\"}}\n"})
	if got := noteKeys(tl); !slices.Equal(got, []string{"selective-sync"}) {
		t.Errorf("notes %v", got)
	}
	if !tl.Sync[1].Empty() || !tl.Fail.Empty() {
		t.Errorf("Sync and SyncFail should be empty")
	}
}

// TestJobSettings checks that a Job's fields say what its manifest says.
func TestJobSettings(t *testing.T) {
	fsys := fstest.MapFS{"app/hookgen.yaml": &fstest.MapFile{Data: []byte(setHeader + `hooks:
  - {name: a, uses: migration, with: {image: "a:1"}}
  - {name: b, uses: job, phase: PostSync, generateName: true, with: {image: "a:1"}}
  - {name: c, uses: job, phase: PostDelete, namespace: ops, backoffLimit: 3, ttlSecondsAfterFinished: 300, deletePolicy: [HookFailed, HookSucceeded], with: {image: "a:1"}}
`)}}
	res, err := Run(Input{Repo: fsys, AppDir: "app"})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range res.Jobs {
		ann := yamlio.MapPath(j.Node, "metadata", "annotations")
		spec := yamlio.MapGet(j.Node, "spec")
		if got := yamlio.MapGet(ann, hookspec.AnnotationHookDeletePolicy).Value; got != joinComma(j.DeletePolicy) {
			t.Errorf("%s: DeletePolicy %v, annotation %q", j.Name, j.DeletePolicy, got)
		}
		if got := yamlio.MapGet(spec, "activeDeadlineSeconds").Value; got != itoa(j.ActiveDeadlineSeconds) {
			t.Errorf("%s: ActiveDeadlineSeconds %d, manifest %s", j.Name, j.ActiveDeadlineSeconds, got)
		}
		if got := yamlio.MapGet(spec, "backoffLimit").Value; got != itoa(int64(j.BackoffLimit)) {
			t.Errorf("%s: BackoffLimit %d, manifest %s", j.Name, j.BackoffLimit, got)
		}
		ttl := yamlio.MapGet(spec, "ttlSecondsAfterFinished")
		if (ttl == nil) != (j.TTLSecondsAfterFinished == nil) || ttl != nil && ttl.Value != itoa(int64(*j.TTLSecondsAfterFinished)) {
			t.Errorf("%s: TTL %v, manifest %v", j.Name, j.TTLSecondsAfterFinished, ttl)
		}
	}
	if len(res.Jobs) != 3 || res.Jobs[0].BackoffLimit != 0 || res.Jobs[0].ActiveDeadlineSeconds != 1800 || *res.Jobs[1].TTLSecondsAfterFinished != jobgen.DefaultGenerateNameTTL || res.Jobs[2].BackoffLimit != 3 {
		t.Errorf("unexpected settings: %+v %+v %+v", res.Jobs[0], res.Jobs[1], res.Jobs[2])
	}
}

func joinComma(s []hookspec.DeletePolicy) string {
	var out []string
	for _, p := range s {
		out = append(out, string(p))
	}
	return strings.Join(out, ",")
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
