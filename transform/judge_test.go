package transform

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// The judge reads values, not text: each rule is tried with every way
// YAML spells the value it is about, in a raw job of hookgen.yaml (read
// as hookgen reads its own files, YAML 1.2) and in one of the
// application's own hooks (read as Kubernetes reads it, YAML 1.1).

const judgePolicy = `apiVersion: hookgen.dev/v1alpha1
kind: HookPolicy
metadata: {name: p}
spec:
  allowRawJobs: true
  pods: {allowHardeningOptOut: true}
  serviceAccounts: [hooks]
  namespaces: {allow: [ops]}
  images: {allow: ["ghcr.io/acme/**"]}
`

// Spellings of one value; the 1.1 ones are that value to Kubernetes only.
var (
	trues12   = []string{"true", "True", "TRUE", "!!bool true", `!!bool "true"`}
	trues11   = []string{"yes", "Yes", "YES", "on", "On", "ON", "y", "Y"}
	falses12  = []string{"false", "False", "FALSE"}
	falses11  = []string{"no", "No", "NO", "off", "Off", "OFF", "n", "N"}
	zeros     = []string{"0", "00", "000", "+0", "-0", "0x0", "0X0", "0o0", "0b0", "0_0", "0x_0", "0_0_0", "!!int 0", `!!int "0x0"`}
	zeroFloat = []string{"0.0", "-0.0", "0e0", "+0.0e5"}
	ports     = []string{"80", "0x50", "0o120", "0120", "0b1010000", "8_0", "+80", "0X50"}
	notStrue  = []string{`"true"`, `'TRUE'`, `"yes"`, "!!str true", "|\n  true"}
)

// judgeRule is a policy rule and where a hook breaks it.
type judgeRule struct {
	rule        string
	pod, ctr    string // a line of the pod spec or of the container, %s the value
	yes, no     []string
	yes11, no11 []string // also for the application's own hooks
	// strict: under a policy that allows no hardening opt-out, for the
	// application's own hooks only (hookgen's hardening refuses these in
	// a hook of hookgen.yaml before the policy is asked).
	strict bool
}

var judgeRules = []judgeRule{
	{rule: "pods.allowHostNamespaces", pod: "hostNetwork: %s", yes: trues12, no: append(falses12, notStrue...), yes11: trues11, no11: falses11},
	{rule: "pods.allowHostNamespaces", pod: "hostPID: %s", yes: trues12, no: falses12, yes11: trues11, no11: falses11},
	{rule: "pods.allowHostNamespaces", pod: "hostIPC: %s", yes: trues12, no: falses12, yes11: trues11, no11: falses11},
	{rule: "pods.allowHostNamespaces", pod: "shareProcessNamespace: %s", yes: trues12, no: falses12, yes11: trues11},
	{rule: "pods.allowHostNamespaces", pod: "securityContext: {windowsOptions: {hostProcess: %s}}", yes: trues12, no: falses12, yes11: trues11},
	{rule: "pods.allowPrivileged", ctr: "securityContext: {privileged: %s}", yes: trues12, no: append(falses12, notStrue...), yes11: trues11, no11: falses11},
	{rule: "pods.allowPrivileged", ctr: "securityContext: {allowPrivilegeEscalation: %s}", yes: trues12, no: falses12, yes11: trues11, no11: falses11},
	{rule: "pods.allowRoot", pod: "securityContext: {runAsUser: %s}", yes: append(zeros, zeroFloat...), no: []string{"1000", "0x10", `"0"`, "1_000", "0.5"}},
	{rule: "pods.allowRoot", ctr: "securityContext: {runAsUser: %s}", yes: append(zeros, zeroFloat...), no: []string{"1000", "!!str 0", "-1"}},
	{rule: "pods.allowRoot", pod: "securityContext: {runAsNonRoot: %s}", yes: falses12, no: append(trues12, `"false"`), yes11: falses11, no11: trues11},
	{rule: "pods.allowRoot", ctr: "securityContext: {runAsNonRoot: %s}", yes: falses12, no: trues12, yes11: falses11, no11: trues11},
	{rule: "pods.allowHostPorts", ctr: "ports: [{containerPort: 8080, hostPort: %s}]", yes: ports, no: zeros[:10]},
	{rule: "pods.allowHostPath", pod: "volumes: [{name: v, hostPath: %s}]", yes: []string{"{path: /}", "{path: /, type: Directory}", "{}"}, no: []string{"null", "~", "Null"}},
	{rule: "pods.allowHostPath", pod: "volumes: [{name: v, %s}]", yes: []string{"nfs: {server: s, path: /}", "iscsi: {targetPortal: p, iqn: q, lun: 0}", "gitRepo: {repository: r}", "cephfs: {monitors: [m]}"}, no: []string{"emptyDir: {}", "configMap: {name: c}", "projected: {sources: []}"}},
	{rule: "pods.allowPrivileged", pod: "securityContext: {sysctls: [{name: %s, value: '1'}]}", yes: []string{"kernel.msgmax", "net.core.somaxconn", "vm.swappiness"}, no: []string{"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ping_group_range"}},
	{rule: "pods.allowPrivileged", ctr: "securityContext: {seLinuxOptions: {type: %s}}", yes: []string{"spc_t", "unconfined_t"}, no: []string{"container_t", `""`}},
	{rule: "pods.allowPrivileged", ctr: "readinessProbe: {httpGet: {host: %s, port: 80}}", yes: []string{"169.254.169.254", "example.com"}, no: []string{`""`}},
	{rule: "pods.allowCapabilities", ctr: "securityContext: {capabilities: {add: [%s]}}", yes: []string{"SYS_ADMIN", `"NET_ADMIN"`, "ALL", "yes"}, no: []string{"NET_BIND_SERVICE", `"NET_BIND_SERVICE"`}},
	{rule: "pods.allowHardeningOptOut", pod: "securityContext: {seccompProfile: {type: %s}}", yes: []string{"Unconfined", `"Unconfined"`, "!!str Unconfined", "unconfined"}, no: []string{"RuntimeDefault", "Localhost"}, strict: true},
	{rule: "pods.allowHardeningOptOut", ctr: "securityContext: {seccompProfile: {type: %s}}", yes: []string{"Unconfined", `'Unconfined'`}, no: []string{"Localhost"}, strict: true},
	{rule: "pods.allowHardeningOptOut", pod: "securityContext: {appArmorProfile: {type: %s}}", yes: []string{"Unconfined", `"Unconfined"`}, no: []string{"RuntimeDefault"}, strict: true},
	{rule: "pods.allowHardeningOptOut", ctr: "securityContext: {procMount: %s}", yes: []string{"Unmasked", `'Unmasked'`}, no: []string{"Default"}, strict: true},
	{rule: "serviceAccounts", pod: "serviceAccountName: %s", yes: []string{"admin", `"cluster-admin"`}, no: []string{"hooks", `"hooks"`}},
	{rule: "serviceAccounts", pod: "serviceAccount: %s", yes: []string{"admin", "default"}, no: []string{"hooks", `""`}},
}

// rawJobSpec is a hookgen.yaml with one raw job hook.
func rawJobSpec(podLine, ctrLine string) string {
	pod, ctr := "", ""
	if podLine != "" {
		pod = "          " + strings.ReplaceAll(podLine, "\n", "\n          ") + "\n"
	}
	if ctrLine != "" {
		ctr = "              " + strings.ReplaceAll(ctrLine, "\n", "\n              ") + "\n"
	}
	return `apiVersion: hookgen.dev/v1alpha1
kind: HookSet
hooks:
  - name: raw
    phase: [PreSync]
    hardening: {runAsNonRoot: false, allowPrivilegeEscalation: true, dropAllCapabilities: false, seccompProfile: Unconfined, readOnlyRootFilesystem: false}
    job:
      template:
        spec:
` + pod + `          containers:
            - name: main
              image: ghcr.io/acme/tool:1.0
` + ctr
}

// manifestHookPod is one of the application's own PreSync Pods.
func manifestHookPod(podLine, ctrLine string) string {
	pod, ctr := "", ""
	if podLine != "" {
		pod = "  " + strings.ReplaceAll(podLine, "\n", "\n  ") + "\n"
	}
	if ctrLine != "" {
		ctr = "      " + strings.ReplaceAll(ctrLine, "\n", "\n      ") + "\n"
	}
	return `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {argocd.argoproj.io/hook: PreSync}
spec:
` + pod + `  containers:
    - name: main
      image: ghcr.io/acme/tool:1.0
` + ctr
}

func judgeRun(t *testing.T, files map[string]string) error {
	t.Helper()
	return judgeRunPolicy(t, judgePolicy, files)
}

func judgeRunPolicy(t *testing.T, policy string, files map[string]string) error {
	t.Helper()
	repo := fstest.MapFS{}
	for name, text := range files {
		repo[name] = &fstest.MapFile{Data: []byte(text)}
	}
	_, err := Run(Input{
		Repo:    repo,
		AppDir:  "app",
		Config:  fstest.MapFS{"policy.yaml": {Data: []byte(policy)}},
		Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}, RunnerImage: "ghcr.io/acme/runner:1"},
	})
	return err
}

func TestJudgeRulesEverySpelling(t *testing.T) {
	const noHooks = "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\n"
	for _, r := range judgeRules {
		line := r.pod + r.ctr
		try := func(where string, files map[string]string, want bool, spelling string) {
			t.Run(fmt.Sprintf("%s/%s/%s", r.rule, where, fmt.Sprintf(line, spelling)), func(t *testing.T) {
				policy := judgePolicy
				if r.strict {
					policy = strings.Replace(policy, "  pods: {allowHardeningOptOut: true}\n", "", 1)
				}
				err := judgeRunPolicy(t, policy, files)
				got := err != nil && strings.Contains(err.Error(), "policy "+r.rule+":")
				switch {
				case want && !got:
					t.Errorf("%s: want a %s problem, got %v", fmt.Sprintf(line, spelling), r.rule, err)
				case !want && got:
					t.Errorf("%s: want no %s problem, got:\n%v", fmt.Sprintf(line, spelling), r.rule, err)
				}
				if want && got {
					file := "app/hookgen.yaml:"
					if where == "manifest" {
						file = "app/pod.yaml:"
					}
					if !strings.Contains(err.Error(), file) {
						t.Errorf("the problem does not name the file and line (%s...):\n%v", file, err)
					}
				}
			})
		}
		for _, set := range []struct {
			spellings []string
			raw, man  bool
		}{{r.yes, true, true}, {r.no, false, false}, {r.yes11, false, true}, {r.no11, false, false}} {
			for _, v := range set.spellings {
				pod, ctr := "", ""
				if r.pod != "" {
					pod = fmt.Sprintf(r.pod, v)
				} else {
					ctr = fmt.Sprintf(r.ctr, v)
				}
				if !r.strict {
					try("raw", map[string]string{"app/hookgen.yaml": rawJobSpec(pod, ctr)}, set.raw, v)
				}
				try("manifest", map[string]string{"app/hookgen.yaml": noHooks, "app/pod.yaml": manifestHookPod(pod, ctr)}, set.man, v)
			}
		}
	}
}

// TestJudgeManifestHooks: which of the application's own resources are
// hooks (gitops-engine hook.IsHook), and manifestHooks: none.
func TestJudgeManifestHooks(t *testing.T) {
	pod := func(ann string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {" + ann + "}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: ghcr.io/acme/t:1}]\n"
	}
	for _, c := range []struct {
		ann    string
		judged bool
	}{
		{"argocd.argoproj.io/hook: PreSync", true},
		{"argocd.argoproj.io/hook: 'PostSync,SyncFail'", true},
		{"argocd.argoproj.io/hook: PostDelete", true},
		{"argocd.argoproj.io/hook: Skip", false},
		{"argocd.argoproj.io/hook: 'Skip,PreSync'", true},
		{"argocd.argoproj.io/hook: Bogus", true},
		{"helm.sh/hook: pre-install", true},
		{"helm.sh/hook: test", true},
		{"helm.sh/hook: crd-install", false},
		{"\"argocd.argoproj.io/h\\x6fok\": PreSync", true},
		{"example.com/hook: PreSync", false},
		{"", false},
	} {
		err := judgeRun(t, map[string]string{"app/hookgen.yaml": "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\n", "app/pod.yaml": pod(c.ann)})
		got := err != nil && strings.Contains(err.Error(), "app/pod.yaml:7: Pod/p: policy pods.allowHostNamespaces: Pod Security restricted (hostNamespaces): hostNetwork=true: host namespaces are forbidden")
		if got != c.judged {
			t.Errorf("%s: judged %v, want %v (%v)", c.ann, got, c.judged, err)
		}
	}
	// manifestHooks: none leaves them to Argo CD.
	repo := fstest.MapFS{
		"app/hookgen.yaml": {Data: []byte("apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\n")},
		"app/pod.yaml":     {Data: []byte(pod("argocd.argoproj.io/hook: PreSync"))},
	}
	_, err := Run(Input{Repo: repo, AppDir: "app", Config: fstest.MapFS{"policy.yaml": {Data: []byte(judgePolicy + "  manifestHooks: none\n")}}, Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}}})
	if err != nil {
		t.Errorf("manifestHooks: none still judged the application's hook: %v", err)
	}
	_, err = LoadConfig(fstest.MapFS{"policy.yaml": {Data: []byte(judgePolicy + "  manifestHooks: some\n")}}, yamlio.Limits{})
	if err == nil || !strings.Contains(err.Error(), `policy: manifestHooks must be all or none, not "some"`) {
		t.Errorf("a bad manifestHooks value: %v", err)
	}
}

// TestJudgeNamespaceLast: a kustomization's namespace is judged after it
// moves a generated Job; a platform hook is never moved.
func TestJudgeNamespaceLast(t *testing.T) {
	policy := `apiVersion: hookgen.dev/v1alpha1
kind: HookPolicy
metadata: {name: p}
spec:
  allowRawJobs: true
  pods: {allowHardeningOptOut: true}
  inject:
    - hook:
        name: audit
        phase: [PostSync]
        job: {template: {spec: {containers: [{name: a, image: "ghcr.io/acme/audit:1"}]}}}
`
	repo := fstest.MapFS{
		"app/hookgen.yaml":       {Data: []byte(rawJobSpec("", ""))},
		"app/kustomization.yaml": {Data: []byte("namespace: kube-system\nresources: [cm.yaml]\n")},
		"app/cm.yaml":            {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")},
	}
	in := Input{Repo: repo, AppDir: "app", Config: fstest.MapFS{"policy.yaml": {Data: []byte(policy)}}, Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}}}
	_, err := Run(in)
	want := `app/hookgen.yaml:4: hook "raw": policy namespaces: namespace "kube-system" is not allowed; hooks run in the Application's destination namespace (the hook names no namespace; the kustomization's namespace moves it there)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q, got %v", want, err)
	}
	if strings.Contains(err.Error(), `"audit"`) {
		t.Errorf("the platform's hook was moved: %v", err)
	}
	// Allowed there: the platform hook stays in the destination namespace.
	in.Config = fstest.MapFS{"policy.yaml": {Data: []byte(policy + "  namespaces: {allow: [kube-system]}\n")}}
	res, err := Run(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range res.Jobs {
		if got := yamlio.Str(yamlio.Get(yamlio.ValueOf(j.Node), "metadata", "namespace")); (j.Hook == "audit") != (got == "") {
			t.Errorf("Job %s is in namespace %q", j.Name, got)
		}
	}
}

// TestJudgePodSecurity: a Job hookgen hardened must pass Pod Security
// restricted but for what the policy allows; what hardening does not
// cover (volume types, sysctls) is refused under the rule that allows it.
func TestJudgePodSecurity(t *testing.T) {
	const policy = `apiVersion: hookgen.dev/v1alpha1
kind: HookPolicy
metadata: {name: p}
spec:
  allowRawJobs: true
  images: {allow: ["ghcr.io/acme/**"]}
`
	job := func(pod string) string {
		return `apiVersion: hookgen.dev/v1alpha1
kind: HookSet
hooks:
  - name: raw
    phase: [PreSync]
    job:
      template:
        spec:
          ` + pod + `
          containers:
            - {name: main, image: "ghcr.io/acme/tool:1.0"}
`
	}
	for pod, want := range map[string]string{
		"volumes: [{name: v, nfs: {server: nfs.example, path: /}}]":                             `app/hookgen.yaml:9: hook "raw": policy pods.allowHostPath: Pod Security restricted (restrictedVolumes):`,
		"volumes: [{name: v, gitRepo: {repository: https://example.com/r}}]":                    `policy pods.allowHostPath: Pod Security restricted (restrictedVolumes):`,
		"securityContext: {sysctls: [{name: kernel.msgmax, value: '1'}]}":                       `policy pods.allowPrivileged: Pod Security restricted (sysctls):`,
		"securityContext: {seLinuxOptions: {type: spc_t}}":                                      `policy pods.allowPrivileged: Pod Security restricted (seLinuxOptions):`,
		"volumes: [{name: v, emptyDir: {}}, {name: w, secret: {secretName: s}}]":                "",
		"securityContext: {sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: '0'}]}": "",
	} {
		err := judgeRunPolicy(t, policy, map[string]string{"app/hookgen.yaml": job(pod)})
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: want no problem, got %v", pod, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: want %q, got %v", pod, want, err)
		}
	}
	// Allowed by the policy: not refused.
	err := judgeRunPolicy(t, policy+"  pods: {allowHostPath: true}\n", map[string]string{"app/hookgen.yaml": job("volumes: [{name: v, nfs: {server: nfs.example, path: /}}]")})
	if err != nil {
		t.Errorf("allowHostPath: an nfs volume is still refused: %v", err)
	}
}
