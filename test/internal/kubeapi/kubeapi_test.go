package kubeapi_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

func TestMain(m *testing.M) { os.Exit(kubeapi.Main(m)) }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var restricted = map[string]string{
	"pod-security.kubernetes.io/enforce": "restricted",
	"pod-security.kubernetes.io/warn":    "restricted",
}

const hardenedJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: main
        image: busybox:1.36
        command: [sh, -c, "true"]
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
`

const privilegedPodSpec = `      restartPolicy: Never
      hostNetwork: true
      containers:
      - name: main
        image: busybox:1.36
        securityContext:
          privileged: true
`

const privilegedJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: root-job
spec:
  template:
    spec:
` + privilegedPodSpec

const privilegedPod = `apiVersion: v1
kind: Pod
metadata:
  name: root-pod
spec:
  restartPolicy: Never
  hostNetwork: true
  containers:
  - name: main
    image: busybox:1.36
    securityContext:
      privileged: true
`

func TestServerVersionAndKubeconfig(t *testing.T) {
	api := kubeapi.Shared(t)
	cs, err := kubernetes.NewForConfig(api.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != kubeapi.Version {
		t.Errorf("server version %s, want %s", v.GitVersion, kubeapi.Version)
	}
	if _, err := os.Stat(api.Kubeconfig()); err != nil {
		t.Fatal(err)
	}
	// The kubeconfig works for any client-go client (kubectl reads it
	// with the same clientcmd loader).
	cfg, err := clientcmd.BuildConfigFromFlags("", api.Kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	kc, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := kc.Discovery().ServerVersion(); err != nil || v.GitVersion != kubeapi.Version {
		t.Errorf("server version through the kubeconfig: %v, %v", v, err)
	}
}

func TestHardenedJobNoWarnings(t *testing.T) {
	api := kubeapi.Shared(t)
	ns := api.TestNamespace(t, restricted)
	ctx := ctxT(t)
	res, err := api.DryRunCreate(ctx, ns, []byte(hardenedJob))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 201 || len(res.Warnings) != 0 {
		t.Fatalf("hardened Job: %s", res)
	}
	// The answer is the defaulted object.
	spec := res.Object["spec"].(map[string]any)
	if spec["completionMode"] != "NonIndexed" || spec["selector"] == nil {
		t.Errorf("Job not defaulted: %v", spec)
	}
	// Nothing was stored.
	got, err := api.Get(ctx, "/apis/batch/v1/namespaces/"+ns+"/jobs/migrate")
	if err != nil {
		t.Fatal(err)
	}
	if got.StatusCode != 404 {
		t.Errorf("dry run stored the Job: %s", got)
	}
	// Server-side apply dry run accepts it too.
	res, err = api.DryRunApply(ctx, ns, []byte(hardenedJob))
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || len(res.Warnings) != 0 {
		t.Errorf("server-side apply: %s", res)
	}
}

// Pod Security admission enforces on Pods only. For workload objects such
// as Jobs it only warns (and audits) about the pod template, so a privileged
// Job is accepted with warnings, while the same spec as a Pod is rejected.
func TestPrivilegedJobWarnedNotRejected(t *testing.T) {
	api := kubeapi.Shared(t)
	ns := api.TestNamespace(t, restricted)
	res, err := api.DryRunCreate(ctxT(t), ns, []byte(privilegedJob))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("privileged Job: %s", res)
	if res.StatusCode != 201 {
		t.Fatalf("privileged Job was not accepted: %s", res)
	}
	if len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, "\n"), `would violate PodSecurity "restricted:latest"`) {
		t.Errorf("no PodSecurity warning: %q", res.Warnings)
	}
	for _, want := range []string{"privileged", "host namespaces"} {
		if !strings.Contains(strings.Join(res.Warnings, "\n"), want) {
			t.Errorf("warning does not mention %q: %q", want, res.Warnings)
		}
	}
}

// Pod Security also checks the pod templates of workloads against the
// enforce level, but only to warn: without a warn label the privileged Job
// is still accepted with the same warnings.
func TestPrivilegedJobWarnedWithEnforceOnly(t *testing.T) {
	api := kubeapi.Shared(t)
	ns := api.TestNamespace(t, map[string]string{"pod-security.kubernetes.io/enforce": "restricted"})
	res, err := api.DryRunCreate(ctxT(t), ns, []byte(privilegedJob))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 201 || !strings.Contains(strings.Join(res.Warnings, "\n"), `would violate PodSecurity "restricted:latest"`) {
		t.Errorf("privileged Job in an enforce-only namespace: %s", res)
	}
}

func TestPrivilegedPodRejected(t *testing.T) {
	api := kubeapi.Shared(t)
	ns := api.TestNamespace(t, restricted)
	res, err := api.DryRunCreate(ctxT(t), ns, []byte(privilegedPod))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("privileged Pod: %s", res)
	if res.StatusCode != 403 || !strings.Contains(res.Message(), `violates PodSecurity "restricted:latest"`) {
		t.Errorf("privileged Pod: %s", res)
	}
	if st := res.Status(); st == nil || st.Reason != "Forbidden" {
		t.Errorf("status = %+v", st)
	}
}

func TestValidationErrors(t *testing.T) {
	api := kubeapi.Shared(t)
	ns := api.TestNamespace(t, nil)
	ctx := ctxT(t)
	bad := `apiVersion: batch/v1
kind: Job
metadata: {name: Bad_Name}
spec:
  backoffLimit: -1
  template:
    spec:
      restartPolicy: Always
      containers: [{name: main}]
`
	res, err := api.DryRunCreate(ctx, ns, []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 422 {
		t.Fatalf("invalid Job: %s", res)
	}
	for _, want := range []string{"metadata.name", "spec.backoffLimit", "image", "restartPolicy"} {
		if !strings.Contains(res.Message(), want) {
			t.Errorf("message lacks %q: %s", want, res.Message())
		}
	}

	// Unknown fields: rejected with Strict (the default), warned with Warn.
	typo := strings.Replace(hardenedJob, "backoffLimit: 0", "backoffLimit: 0\n  backofLimit: 1", 1)
	res, err = api.DryRunCreate(ctx, ns, []byte(typo))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 400 || !strings.Contains(res.Message(), `unknown field "spec.backofLimit"`) {
		t.Errorf("unknown field with Strict: %s", res)
	}
	res, err = api.DryRunCreate(ctx, ns, []byte(typo), kubeapi.DryRunOptions{FieldValidation: "Warn"})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 201 || !strings.Contains(strings.Join(res.Warnings, "\n"), `unknown field "spec.backofLimit"`) {
		t.Errorf("unknown field with Warn: %s", res)
	}
}

func TestDryRunCreateAll(t *testing.T) {
	api := kubeapi.Shared(t)
	ns := api.TestNamespace(t, restricted)
	stream := "---\n" + hardenedJob + "---\n# comment only\n---\n" + privilegedJob +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"
	rs, err := api.DryRunCreateAll(ctxT(t), ns, []byte(stream))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 {
		t.Fatalf("got %d responses, want 3", len(rs))
	}
	if !rs[0].OK() || len(rs[0].Warnings) != 0 || !rs[1].OK() || len(rs[1].Warnings) == 0 || !rs[2].OK() {
		t.Errorf("responses:\n%s\n%s\n%s", rs[0], rs[1], rs[2])
	}
}

// A private server per test: started and stopped (API server before etcd)
// within the test.
func TestStartPrivateServer(t *testing.T) {
	start := time.Now()
	api := kubeapi.Start(t, kubeapi.Options{})
	t.Logf("private API server ready in %s", time.Since(start).Round(time.Millisecond))
	res, err := api.Get(ctxT(t), "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res, err)
	}
	if err := api.Stop(); err != nil {
		t.Fatal(err)
	}
	if exited, _ := api.Etcd.Exited(); !exited {
		t.Error("etcd still running after Stop")
	}
	if _, err := os.Stat(api.Dir); !os.IsNotExist(err) {
		t.Errorf("server dir %s not removed: %v", api.Dir, err)
	}
}
