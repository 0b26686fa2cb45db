package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/sync/hook"
	"github.com/argoproj/gitops-engine/pkg/sync/syncwaves"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// explained is the part of `hookgen explain --format json` compared with
// Argo CD's reading.
type explained struct {
	Objects []explainedObject `json:"objects"`
	Stages  []struct {
		Phase string `json:"phase"`
		Waves []struct {
			Wave    int      `json:"wave"`
			Objects []string `json:"objects"`
		} `json:"waves"`
	} `json:"stages"`
}

type explainedObject struct {
	APIVersion   string   `json:"apiVersion"`
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	GenerateName string   `json:"generateName"`
	Namespace    string   `json:"namespace"`
	IsHook       bool     `json:"isHook"`
	Skip         bool     `json:"skip"`
	SyncPhases   []string `json:"syncPhases"`
	Wave         int      `json:"wave"`
	DeletePhases []string `json:"deletePhases"`
	PostDeleteV2 bool     `json:"postDeleteV2"`
}

// runHookgen runs the built hookgen and returns its stdout; it fails the
// test when hookgen fails.
func runHookgen(t *testing.T, environ []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(hookgenBin, args...)
	cmd.Env = environ
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hookgen %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// argoObjects splits hookgen's output as Argo CD's repo-server does
// (reposerver/repository/repository.go, GenerateManifests): gitops-engine's
// kube.SplitYAML, then a List's items each on their own and a List whose
// items are null dropped.
func argoObjects(t *testing.T, out []byte) []*unstructured.Unstructured {
	t.Helper()
	objs, err := kube.SplitYAML(out)
	if err != nil {
		t.Fatalf("Argo CD cannot split the output: %v", err)
	}
	var flat []*unstructured.Unstructured
	for _, obj := range objs {
		switch {
		case obj.IsList():
			err := obj.EachListItem(func(o runtime.Object) error {
				u, ok := o.(*unstructured.Unstructured)
				if !ok {
					return fmt.Errorf("list item of type %T", o)
				}
				flat = append(flat, u)
				return nil
			})
			if err != nil {
				t.Fatalf("Argo CD cannot read a List: %v", err)
			}
		case isNullList(obj):
		default:
			flat = append(flat, obj)
		}
	}
	return flat
}

// isNullList is the repo-server's isNullList.
func isNullList(obj *unstructured.Unstructured) bool {
	if _, ok := obj.Object["spec"]; ok {
		return false
	}
	if _, ok := obj.Object["status"]; ok {
		return false
	}
	field, ok := obj.Object["items"]
	return ok && field == nil
}

// syncPhases is gitops-engine's syncPhases (pkg/sync/sync_phase.go,
// unexported), written with the exported readers it calls: the phases of
// a sync the object is applied in.
func syncPhases(obj *unstructured.Unstructured) []string {
	if hook.Skip(obj) {
		return nil
	}
	if !hook.IsHook(obj) {
		return []string{string(common.SyncPhaseSync)}
	}
	var out []string
	for _, t := range hook.Types(obj) {
		switch t {
		case common.HookTypePreSync, common.HookTypeSync, common.HookTypePostSync, common.HookTypeSyncFail:
			if !slices.Contains(out, string(t)) {
				out = append(out, string(t))
			}
		}
	}
	return out
}

// deleteHookTypes is Argo CD 3.3's controller rule (controller/hook.go,
// isHookOfType, unexported): the argocd.argoproj.io/hook or helm.sh/hook
// list holds PreDelete/pre-delete or PostDelete/post-delete.
func deleteHookTypes(obj *unstructured.Unstructured) []string {
	var out []string
	for _, typ := range []struct{ argo, helm string }{{"PreDelete", "pre-delete"}, {"PostDelete", "post-delete"}} {
		found := false
		for key, want := range map[string]string{common.AnnotationKeyHook: typ.argo, "helm.sh/hook": typ.helm} {
			if v, ok := obj.GetAnnotations()[key]; ok {
				for _, item := range strings.Split(v, ",") {
					found = found || strings.TrimSpace(item) == want
				}
			}
		}
		if found {
			out = append(out, typ.argo)
		}
	}
	return out
}

// postDeleteHookV2 is Argo CD 2.14's controller rule (controller/hook.go,
// isPostDeleteHook, unexported): an annotation that is exactly PostDelete
// or post-delete.
func postDeleteHookV2(obj *unstructured.Unstructured) bool {
	for k, v := range map[string]string{common.AnnotationKeyHook: "PostDelete", "helm.sh/hook": "post-delete"} {
		if val, ok := obj.GetAnnotations()[k]; ok && val == v {
			return true
		}
	}
	return false
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// compareExplained holds explain's report to Argo CD's reading of the
// objects generate printed: every object's identity, hook, skip, sync
// phases, wave and deletion hook types, and the stages' waves.
func compareExplained(t *testing.T, objs []*unstructured.Unstructured, ex explained) {
	t.Helper()
	if len(ex.Objects) != len(objs) {
		t.Fatalf("explain lists %d objects, Argo CD reads %d in generate's output", len(ex.Objects), len(objs))
	}
	type slot struct {
		phase string
		wave  int
	}
	want := map[slot]int{}
	for i, obj := range objs {
		e := ex.Objects[i]
		name := fmt.Sprintf("object %d (%s/%s%s)", i, obj.GetKind(), obj.GetName(), obj.GetGenerateName())
		if e.APIVersion != obj.GetAPIVersion() || e.Kind != obj.GetKind() || e.Name != obj.GetName() || e.GenerateName != obj.GetGenerateName() || e.Namespace != obj.GetNamespace() {
			t.Errorf("%s: explain names %s %s %q/%q in %q", name, e.APIVersion, e.Kind, e.Name, e.GenerateName, e.Namespace)
		}
		if got := hook.IsHook(obj); e.IsHook != got {
			t.Errorf("%s: explain says hook %v, gitops-engine hook.IsHook %v", name, e.IsHook, got)
		}
		if got := hook.Skip(obj); e.Skip != got {
			t.Errorf("%s: explain says skip %v, gitops-engine hook.Skip %v", name, e.Skip, got)
		}
		phases := syncPhases(obj)
		if !slices.Equal(sorted(e.SyncPhases), sorted(phases)) {
			t.Errorf("%s: explain says sync phases %v, gitops-engine %v", name, e.SyncPhases, phases)
		}
		wave := syncwaves.Wave(obj)
		if e.Wave != wave {
			t.Errorf("%s: explain says wave %d, gitops-engine syncwaves.Wave %d", name, e.Wave, wave)
		}
		del := deleteHookTypes(obj)
		if !slices.Equal(sorted(e.DeletePhases), sorted(del)) {
			t.Errorf("%s: explain says deletion hook types %v, Argo CD 3.3's controller %v", name, e.DeletePhases, del)
		}
		if got := postDeleteHookV2(obj); e.PostDeleteV2 != got {
			t.Errorf("%s: explain says Argo CD 2.14 PostDelete %v, its controller %v", name, e.PostDeleteV2, got)
		}
		for _, p := range append(phases, del...) {
			want[slot{p, wave}]++
		}
	}
	got := map[slot]int{}
	for _, s := range ex.Stages {
		for _, w := range s.Waves {
			got[slot{s.Phase, w.Wave}] += len(w.Objects)
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s wave %d: explain's timeline holds %d objects, Argo CD's reading %d", k.phase, k.wave, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s wave %d: explain's timeline holds %d objects Argo CD does not put there", k.phase, k.wave, n)
		}
	}
}

// explainAndGenerate runs explain --format json and generate on one
// application and compares them.
func explainAndGenerate(t *testing.T, environ []string, appDir string) int {
	t.Helper()
	out := runHookgen(t, environ, "generate", "--dir", appDir)
	var ex explained
	data := runHookgen(t, environ, "explain", "--argocd-env", "--format", "json", appDir)
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatalf("explain --format json: %v\n%s", err, data)
	}
	objs := argoObjects(t, out)
	compareExplained(t, objs, ex)
	return len(objs)
}

// TestExplainMatchesArgoCD runs `hookgen explain --format json` on every
// golden case and holds the phases and wave it gives each object to
// gitops-engine's readers applied to what `hookgen generate` prints for
// the case, and its deletion hooks to Argo CD's controller rules.
func TestExplainMatchesArgoCD(t *testing.T) {
	cases := successCases(t)
	total := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			environ, appDir := caseEnv(t, c)
			total += explainAndGenerate(t, environ, appDir)
		})
	}
	t.Logf("%d golden cases, %d objects compared", len(cases), total)
}

// trickyAnnotations are annotation sets whose reading is easy to get
// wrong: each becomes one ConfigMap of an application.
var trickyAnnotations = []map[string]string{
	{"argocd.argoproj.io/hook": "PreSync"},
	{"argocd.argoproj.io/hook": " PreSync , PostSync "},
	{"argocd.argoproj.io/hook": "Sync"},
	{"argocd.argoproj.io/hook": "SyncFail"},
	{"argocd.argoproj.io/hook": "PreSync,SyncFail"},
	{"argocd.argoproj.io/hook": "Skip"},
	{"argocd.argoproj.io/hook": "Skip,Skip"},
	{"argocd.argoproj.io/hook": "Skip,PreSync"},
	{"argocd.argoproj.io/hook": "skip"},
	{"argocd.argoproj.io/hook": ""},
	{"argocd.argoproj.io/hook": ","},
	{"argocd.argoproj.io/hook": "PreDelete"},
	{"argocd.argoproj.io/hook": "PostDelete"},
	{"argocd.argoproj.io/hook": "PostDelete "},
	{"argocd.argoproj.io/hook": "PostSync,PostDelete"},
	{"argocd.argoproj.io/hook": "Bogus", "helm.sh/hook": "pre-install"},
	{"argocd.argoproj.io/hook": "PreSync", "helm.sh/hook": "post-delete"},
	{"argocd.argoproj.io/hook": "Skip", "helm.sh/hook": "pre-install"},
	{"argocd.argoproj.io/hook": "PostSync", "argocd.argoproj.io/sync-wave": "3", "helm.sh/hook-weight": "9"},
	{"helm.sh/hook": "crd-install"},
	{"helm.sh/hook": " crd-install"},
	{"helm.sh/hook": "crd-install,pre-install"},
	{"helm.sh/hook": "pre-install,pre-upgrade"},
	{"helm.sh/hook": "post-install,pre-upgrade", "helm.sh/hook-weight": "-5"},
	{"helm.sh/hook": "post-upgrade"},
	{"helm.sh/hook": "post-delete"},
	{"helm.sh/hook": "pre-delete,post-delete"},
	{"helm.sh/hook": "test"},
	{"helm.sh/hook": "pre-rollback"},
	{"helm.sh/hook": "PRE-INSTALL"},
	{"argocd.argoproj.io/sync-wave": "5"},
	{"argocd.argoproj.io/sync-wave": " 5"},
	{"argocd.argoproj.io/sync-wave": "+5"},
	{"argocd.argoproj.io/sync-wave": "-0"},
	{"argocd.argoproj.io/sync-wave": "1_000"},
	{"argocd.argoproj.io/sync-wave": "0x10"},
	{"argocd.argoproj.io/sync-wave": "99999999999"},
	{"argocd.argoproj.io/sync-wave": "99999999999999999999"},
	{"argocd.argoproj.io/sync-wave": "x", "helm.sh/hook-weight": "4"},
	{"argocd.argoproj.io/sync-wave": "", "helm.sh/hook-weight": "2"},
	{"helm.sh/hook-weight": "-3"},
	{"helm.sh/hook-weight": " 2"},
}

// TestExplainTrickyAnnotations does the same over an application made of
// the annotation sets above, a List of hooks, and a generateName hook.
func TestExplainTrickyAnnotations(t *testing.T) {
	repo := t.TempDir()
	app := filepath.Join(repo, "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, ann := range trickyAnnotations {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  annotations:\n", i)
		for _, k := range sorted(mapKeys(ann)) {
			fmt.Fprintf(&b, "    %s: %q\n", k, ann[k])
		}
	}
	b.WriteString(`---
apiVersion: v1
kind: ConfigMapList
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: listed, annotations: {helm.sh/hook: post-install, helm.sh/hook-weight: "2"}}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: listed-plain}
---
apiVersion: v1
kind: ConfigMapList
items: null
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: wave-not-a-string
  annotations: {argocd.argoproj.io/hook: PreSync, argocd.argoproj.io/sync-wave: 5}
---
apiVersion: batch/v1
kind: Job
metadata:
  generateName: notify-
  annotations: {argocd.argoproj.io/hook: PostSync, argocd.argoproj.io/hook-delete-policy: HookSucceeded}
spec:
  ttlSecondsAfterFinished: 600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: notify, image: "ghcr.io/acme/notify:1.0"}]
`)
	files := map[string]string{
		"resources.yaml": b.String(),
		"hookgen.yaml":   "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks:\n  - {name: migrate, uses: migration, wave: 2, with: {image: \"ghcr.io/acme/app:1.0\"}}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(app, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	environ := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "HOOKGEN_RUNNER_IMAGE=ghcr.io/hookgen/hookgen:v0.1.0", "HOOKGEN_CONFIG_DIR=" + t.TempDir(),
		"ARGOCD_APP_NAME=tricky", "ARGOCD_APP_NAMESPACE=tricky", "ARGOCD_APP_PROJECT_NAME=default", "ARGOCD_APP_REVISION=a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		"ARGOCD_APP_SOURCE_PATH=app", "ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/acme/tricky.git", "ARGOCD_APP_SOURCE_TARGET_REVISION=main"}
	n := explainAndGenerate(t, environ, app)
	if want := len(trickyAnnotations) + 2 + 1 + 1 + 1; n != want {
		t.Errorf("Argo CD reads %d objects, want %d", n, want)
	}
}

func mapKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
