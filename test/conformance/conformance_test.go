package conformance

import (
	"bufio"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/sync/hook"
	"github.com/argoproj/gitops-engine/pkg/sync/syncwaves"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hookgen/hookgen/test/internal/tools"
)

// root is the product's repository root, seen from this package.
const root = "../.."

// goldenCase is one success case under testdata/.
type goldenCase struct {
	name     string
	dir      string
	expected []byte
}

func successCases(t *testing.T) []goldenCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "testdata", "*", "expected.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden outputs under %s/testdata: %v", root, err)
	}
	var out []goldenCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Dir(f)
		if _, err := os.Stat(filepath.Join(dir, "repo")); err != nil {
			continue // not a golden case of generate (e.g. the KRM function's)
		}
		out = append(out, goldenCase{name: filepath.Base(dir), dir: dir, expected: data})
	}
	return out
}

// job is what hookgen meant one Job to be, as `hookgen validate --output
// json` reports it.
type job struct {
	Name         string   `json:"name"`
	Phase        string   `json:"phase"`
	Wave         int      `json:"wave"`
	GenerateName bool     `json:"generateName"`
	DeletePolicy []string `json:"deletePolicy"`
}

// report is the part of validate's JSON the tests read.
type report struct {
	OK        bool  `json:"ok"`
	Jobs      []job `json:"jobs"`
	Manifests int   `json:"manifests"`
}

var hookgenBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hookgen-conformance-")
	if err != nil {
		panic(err)
	}
	if err := tools.BuildHookgenTo(dir); err != nil {
		panic(err)
	}
	hookgenBin = filepath.Join(dir, "hookgen")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// caseEnv returns the environment Argo CD gives hookgen for a case and
// the directory it runs in.
func caseEnv(t *testing.T, c goldenCase) (environ []string, appDir string) {
	t.Helper()
	environ = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "HOOKGEN_RUNNER_IMAGE=ghcr.io/hookgen/hookgen:v0.1.0", "HOOKGEN_CONFIG_DIR=" + t.TempDir()}
	appDir = filepath.Join(c.dir, "repo")
	if data, err := os.ReadFile(filepath.Join(c.dir, "env")); err == nil {
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			environ = append(environ, line)
			if v, ok := strings.CutPrefix(line, "ARGOCD_APP_SOURCE_PATH="); ok {
				appDir = filepath.Join(appDir, filepath.FromSlash(v))
			}
		}
	}
	if cfg, err := filepath.Abs(filepath.Join(c.dir, "config")); err == nil {
		if _, err := os.Stat(cfg); err == nil {
			environ = append(environ, "HOOKGEN_CONFIG_DIR="+cfg)
		}
	}
	return environ, appDir
}

// intent runs the built hookgen on a case, with the case's Argo CD
// environment, and returns what it meant each Job to be: the same path as
// `hookgen generate`, reported as data instead of annotations.
func intent(t *testing.T, c goldenCase) report {
	t.Helper()
	environ, appDir := caseEnv(t, c)
	cmd := exec.Command(hookgenBin, "validate", "--argocd-env", "--output", "json", appDir)
	cmd.Env = environ
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hookgen validate: %v\n%s", err, out)
	}
	var r report
	if err := json.Unmarshal(out, &r); err != nil || !r.OK {
		t.Fatalf("hookgen validate did not report success (%v):\n%s", err, out)
	}
	return r
}

// TestGoldenOutputs feeds every golden output through the code Argo CD
// runs on a plugin's output: gitops-engine's YAML splitter, then its
// readers of hook types, delete policies and sync waves.
func TestGoldenOutputs(t *testing.T) {
	for _, c := range successCases(t) {
		t.Run(c.name, func(t *testing.T) {
			objs, err := kube.SplitYAML(c.expected)
			if err != nil {
				t.Fatalf("Argo CD cannot split the output: %v", err)
			}
			hooks := 0
			for _, obj := range objs {
				if obj.GetLabels()["app.kubernetes.io/managed-by"] != "hookgen" {
					continue
				}
				hooks++
				checkHookObject(t, obj)
			}
			r := intent(t, c)
			if want := r.Manifests + len(r.Jobs); len(objs) != want {
				t.Errorf("Argo CD reads %d objects, hookgen wrote %d", len(objs), want)
			}
			if hooks != len(r.Jobs) {
				t.Errorf("Argo CD sees %d hookgen Jobs, hookgen generated %d", hooks, len(r.Jobs))
			}
			for _, j := range r.Jobs {
				obj := findJob(objs, j)
				if obj == nil {
					t.Errorf("job %s is not in the output Argo CD reads", j.Name)
					continue
				}
				checkIntent(t, obj, j)
			}
		})
	}
}

// checkHookObject checks what holds for every generated Job.
func checkHookObject(t *testing.T, obj *unstructured.Unstructured) {
	t.Helper()
	if !hook.IsHook(obj) {
		t.Errorf("%s: Argo CD does not see a hook", obj.GetName())
	}
	if hook.Skip(obj) {
		t.Errorf("%s: Argo CD would skip it", obj.GetName())
	}
	name := obj.GetName()
	if name == "" {
		name = obj.GetGenerateName() + "abcdef0-postdelete-1767225600"
	}
	if len(name) > 63 {
		t.Errorf("%s: the Job name Argo CD creates would pass 63 characters (%d)", name, len(name))
	}
	if obj.GetKind() != "Job" || obj.GetAPIVersion() != "batch/v1" {
		t.Errorf("%s: %s %s, want batch/v1 Job", obj.GetName(), obj.GetAPIVersion(), obj.GetKind())
	}
}

// checkIntent checks that Argo CD reads the phase, wave and delete policy
// hookgen meant.
func checkIntent(t *testing.T, obj *unstructured.Unstructured, j job) {
	t.Helper()
	name := obj.GetName() + obj.GetGenerateName()
	types := hook.Types(obj)
	if j.Phase == "PreDelete" || j.Phase == "PostDelete" {
		// Argo CD handles deletion hooks in its controller, not in
		// gitops-engine: gitops-engine sees no sync type, and the
		// controller's rule is that the hook annotation's values include
		// PreDelete or PostDelete.
		if len(types) != 0 {
			t.Errorf("%s: gitops-engine sees sync types %v on a %s hook", name, types, j.Phase)
		}
		if !isDeleteHookOfType(obj, j.Phase) {
			t.Errorf("%s: Argo CD's controller does not see a %s hook", name, j.Phase)
		}
	} else if len(types) != 1 || string(types[0]) != j.Phase {
		t.Errorf("%s: Argo CD reads hook types %v, hookgen meant %s", name, types, j.Phase)
	}
	if got := syncwaves.Wave(obj); got != j.Wave {
		t.Errorf("%s: Argo CD reads wave %d, hookgen meant %d", name, got, j.Wave)
	}
	var got []string
	for _, p := range hook.DeletePolicies(obj) {
		got = append(got, string(p))
	}
	want := slices.Clone(j.DeletePolicy)
	slices.Sort(got)
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("%s: Argo CD reads delete policies %v, hookgen meant %v", name, got, want)
	}
}

// isDeleteHookOfType is Argo CD's controller rule (controller/hook.go,
// unexported): the argocd.argoproj.io/hook values, comma-separated and
// trimmed, include the type.
func isDeleteHookOfType(obj *unstructured.Unstructured, typ string) bool {
	for _, v := range strings.Split(obj.GetAnnotations()[common.AnnotationKeyHook], ",") {
		if strings.TrimSpace(v) == typ {
			return true
		}
	}
	return false
}

func findJob(objs []*unstructured.Unstructured, j job) *unstructured.Unstructured {
	for _, obj := range objs {
		if obj.GetKind() != "Job" {
			continue
		}
		if (!j.GenerateName && obj.GetName() == j.Name) || (j.GenerateName && obj.GetGenerateName() == j.Name) {
			return obj
		}
	}
	return nil
}

// declared is what a person reading the hookgen.yaml files of a few cases
// expects Argo CD to run, written by hand: the independent truth.
var declared = map[string][]struct {
	job    string
	phase  common.HookType // "" for deletion hooks
	del    string          // PreDelete or PostDelete
	wave   int
	policy []common.HookDeletePolicy
}{
	"realistic-app": {
		{job: "migrate-presync", phase: common.HookTypePreSync, wave: -1, policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation}},
		{job: "smoke-postsync", phase: common.HookTypePostSync, policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation}},
		{job: "cleanup-postdelete", del: "PostDelete", policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation, common.HookDeletePolicyHookSucceeded}},
	},
	"all-phases": {
		{job: "pre-presync", phase: common.HookTypePreSync, policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation}},
		{job: "during-sync", phase: common.HookTypeSync, policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation}},
		{job: "notify-postsync", phase: common.HookTypePostSync, policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation}},
		{job: "post-postsync", phase: common.HookTypePostSync, policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation}},
		{job: "notify-syncfail", phase: common.HookTypeSyncFail, policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation}},
		{job: "onfail-syncfail", phase: common.HookTypeSyncFail, policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation}},
		{job: "predelete-predelete", del: "PreDelete", policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation, common.HookDeletePolicyHookSucceeded}},
		{job: "postdelete-postdelete", del: "PostDelete", policy: []common.HookDeletePolicy{common.HookDeletePolicyBeforeHookCreation, common.HookDeletePolicyHookSucceeded}},
	},
	"all-knobs": {
		{job: "knobs-postsync-", phase: common.HookTypePostSync, wave: 5, policy: []common.HookDeletePolicy{common.HookDeletePolicyHookSucceeded, common.HookDeletePolicyHookFailed}},
	},
	"generate-name": {
		{job: "notify-postsync-", phase: common.HookTypePostSync, policy: []common.HookDeletePolicy{common.HookDeletePolicyHookSucceeded}},
		{job: "notify-syncfail-", phase: common.HookTypeSyncFail, policy: []common.HookDeletePolicy{common.HookDeletePolicyHookSucceeded}},
	},
}

// TestDeclaredCases checks a few cases against hand-written expectations.
func TestDeclaredCases(t *testing.T) {
	cases := map[string]goldenCase{}
	for _, c := range successCases(t) {
		cases[c.name] = c
	}
	for name, want := range declared {
		t.Run(name, func(t *testing.T) {
			c, ok := cases[name]
			if !ok {
				t.Fatalf("golden case %s is missing", name)
			}
			objs, err := kube.SplitYAML(c.expected)
			if err != nil {
				t.Fatal(err)
			}
			var jobs []*unstructured.Unstructured
			for _, o := range objs {
				if hook.IsHook(o) {
					jobs = append(jobs, o)
				}
			}
			if len(jobs) != len(want) {
				t.Fatalf("Argo CD sees %d hooks, want %d", len(jobs), len(want))
			}
			for _, w := range want {
				var obj *unstructured.Unstructured
				for _, o := range jobs {
					if o.GetName() == w.job || o.GetGenerateName() == w.job {
						obj = o
					}
				}
				if obj == nil {
					t.Errorf("no hook %s", w.job)
					continue
				}
				types := hook.Types(obj)
				switch {
				case w.del != "":
					if len(types) != 0 || !isDeleteHookOfType(obj, w.del) {
						t.Errorf("%s: types %v, want a %s hook only", w.job, types, w.del)
					}
				case len(types) != 1 || types[0] != w.phase:
					t.Errorf("%s: types %v, want [%s]", w.job, types, w.phase)
				}
				if got := syncwaves.Wave(obj); got != w.wave {
					t.Errorf("%s: wave %d, want %d", w.job, got, w.wave)
				}
				got := hook.DeletePolicies(obj)
				want := slices.Clone(w.policy)
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s: delete policies %v, want %v", w.job, got, w.policy)
				}
			}
		})
	}
}

// mirrored reads the string constants of the product's
// internal/hookspec/argocd.go,
// where hookgen mirrors Argo CD's names instead of importing Argo CD (the
// product module cannot share this module's dependency graph).
func mirrored(t *testing.T) map[string]string {
	t.Helper()
	file := filepath.Join(root, "internal", "hookspec", "argocd.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						out[n.Name] = v
					}
				}
			}
		}
	}
	return out
}

// TestMirroredNames checks that the Argo CD names hookgen mirrors are
// Argo CD's.
func TestMirroredNames(t *testing.T) {
	got := mirrored(t)
	for name, want := range map[string]string{
		"AnnotationHook":             common.AnnotationKeyHook,
		"AnnotationHookDeletePolicy": common.AnnotationKeyHookDeletePolicy,
		"AnnotationSyncWave":         common.AnnotationSyncWave,
		"PreSync":                    string(common.HookTypePreSync),
		"Sync":                       string(common.HookTypeSync),
		"PostSync":                   string(common.HookTypePostSync),
		"SyncFail":                   string(common.HookTypeSyncFail),
		"HookSucceeded":              string(common.HookDeletePolicyHookSucceeded),
		"HookFailed":                 string(common.HookDeletePolicyHookFailed),
		"BeforeHookCreation":         string(common.HookDeletePolicyBeforeHookCreation),
	} {
		if got[name] != want {
			t.Errorf("transform.%s is %q; Argo CD says %q", name, got[name], want)
		}
	}
	// Deletion hooks are Argo CD controller types, unknown to gitops-engine.
	for _, name := range []string{"PreDelete", "PostDelete"} {
		if got[name] != name {
			t.Errorf("transform.%s is %q", name, got[name])
		}
		if _, ok := common.NewHookType(got[name]); ok {
			t.Errorf("gitops-engine knows %s as a sync hook type; hookgen treats it as a deletion hook", name)
		}
	}
	for _, name := range []string{"PreSync", "Sync", "PostSync", "SyncFail"} {
		if _, ok := common.NewHookType(got[name]); !ok {
			t.Errorf("gitops-engine does not know hook type %s", got[name])
		}
	}
	for _, name := range []string{"HookSucceeded", "HookFailed", "BeforeHookCreation"} {
		if _, ok := common.NewHookDeletePolicy(got[name]); !ok {
			t.Errorf("gitops-engine does not know delete policy %s", got[name])
		}
	}
}
