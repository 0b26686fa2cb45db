package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

// Restricted are the labels of every namespace the tests dry-run into:
// Pod Security "restricted" enforced (Pods) and warned about (Pods and
// workload templates).
var Restricted = map[string]string{
	"pod-security.kubernetes.io/enforce": "restricted",
	"pod-security.kubernetes.io/warn":    "restricted",
}

// NoNamespace is the namespace objects without one go to when the
// Application has no destination namespace.
const NoNamespace = "e2e-no-destination"

var namespaces struct {
	mu   sync.Mutex
	made map[string]bool
}

var priorityClasses struct {
	mu   sync.Mutex
	made map[string]bool
}

// EnsurePriorityClass creates a PriorityClass of that name on the shared
// API server, once per package run, so that a pod naming it passes the
// Priority admission plugin as it would in a cluster that has it.
func EnsurePriorityClass(t testing.TB, api *kubeapi.Server, name string) {
	t.Helper()
	if strings.HasPrefix(name, "system-") {
		return // built in
	}
	priorityClasses.mu.Lock()
	defer priorityClasses.mu.Unlock()
	if priorityClasses.made == nil {
		priorityClasses.made = map[string]bool{}
	}
	if priorityClasses.made[name] {
		return
	}
	body, err := json.Marshal(map[string]any{
		"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
		"metadata": map[string]any{"name": name}, "value": 1000,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := api.Apply(ctx, "", body); err != nil {
		t.Fatal(err)
	}
	priorityClasses.made[name] = true
}

// EnsureNamespace creates namespace name with the Restricted labels on the
// shared API server, once per package run.
func EnsureNamespace(t testing.TB, api *kubeapi.Server, name string) {
	t.Helper()
	EnsureNamespaceLabels(t, api, name, Restricted)
}

// EnsureNamespaceLabels creates namespace name with labels, once per
// package run (the first call's labels win).
func EnsureNamespaceLabels(t testing.TB, api *kubeapi.Server, name string, labels map[string]string) {
	t.Helper()
	namespaces.mu.Lock()
	defer namespaces.mu.Unlock()
	if namespaces.made == nil {
		namespaces.made = map[string]bool{}
	}
	if namespaces.made[name] {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := api.CreateNamespace(ctx, name, labels); err != nil {
		t.Fatal(err)
	}
	namespaces.made[name] = true
}

// Unlabelled is a namespace without Pod Security labels, for Jobs that
// opt out of the hardened pod on purpose.
const Unlabelled = "e2e-unlabelled"

// DryRunJobs sends every hookgen Job of objs to the API server as a
// server-side dry-run create with strict field validation, into its own
// namespace or else destNS (both created with the Restricted labels), then
// its pod template as a Pod, which Pod Security admission enforces on. Any
// rejection, and any warning, fails the test.
//
// optOut names Jobs (name or generateName) whose hook opts out of the
// hardened pod on purpose: they must break "restricted" (the Job accepted
// with a Pod Security warning, its Pod rejected) and be accepted without
// any warning in a namespace without Pod Security labels.
// DryRunJobs returns the number of Jobs.
func DryRunJobs(t testing.TB, api *kubeapi.Server, objs []*unstructured.Unstructured, destNS string, optOut ...string) int {
	t.Helper()
	if destNS == "" {
		destNS = NoNamespace
	}
	n := 0
	for _, job := range Jobs(objs) {
		n++
		ns := job.GetNamespace()
		if ns == "" {
			ns = destNS
		}
		EnsureNamespace(t, api, ns)
		if pc, _ := kubeapi.Nested(job.Object, "spec", "template", "spec", "priorityClassName").(string); pc != "" {
			EnsurePriorityClass(t, api, pc)
		}
		pod := PodFromJob(job)
		jobR := dryRun(t, api, ns, job.Object)
		podR := dryRun(t, api, ns, pod)
		if !slices.Contains(optOut, job.GetName()+job.GetGenerateName()) {
			if jobR.StatusCode != http.StatusCreated || len(jobR.Warnings) > 0 {
				t.Errorf("%s in namespace %s: the API server answers %s", ObjectName(job), ns, jobR)
			} else if got, want := kubeapi.Nested(jobR.Object, "spec", "template", "spec", "restartPolicy"), kubeapi.Nested(job.Object, "spec", "template", "spec", "restartPolicy"); got != want || (want != "Never" && want != "OnFailure") {
				t.Errorf("%s: the stored Job would have restartPolicy %v; hookgen wrote %v", ObjectName(job), got, want)
			}
			if podR.StatusCode != http.StatusCreated || len(podR.Warnings) > 0 {
				t.Errorf("the pod of %s in namespace %s: the API server answers %s", ObjectName(job), ns, podR)
			}
			continue
		}
		if jobR.StatusCode != http.StatusCreated || !anyContains(jobR.Warnings, "would violate PodSecurity") {
			t.Errorf("%s opts out of the hardened pod, yet the API server answers %s", ObjectName(job), jobR)
		}
		if podR.StatusCode != http.StatusForbidden || !strings.Contains(podR.Message(), "violates PodSecurity") {
			t.Errorf("the pod of %s opts out of the hardened pod, yet the API server answers %s", ObjectName(job), podR)
		}
		EnsureNamespaceLabels(t, api, Unlabelled, nil)
		plain := job.DeepCopy()
		plain.SetNamespace("")
		delete(pod["metadata"].(map[string]any), "namespace")
		for what, r := range map[string]*kubeapi.Response{
			ObjectName(job):                 dryRun(t, api, Unlabelled, plain.Object),
			"the pod of " + ObjectName(job): dryRun(t, api, Unlabelled, pod),
		} {
			if r.StatusCode != http.StatusCreated || len(r.Warnings) > 0 {
				t.Errorf("%s in namespace %s (no Pod Security labels): the API server answers %s", what, Unlabelled, r)
			}
		}
	}
	return n
}

func dryRun(t testing.TB, api *kubeapi.Server, ns string, obj map[string]any) *kubeapi.Response {
	t.Helper()
	body, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	r, err := api.DryRunCreate(Ctx(t), ns, body)
	if err != nil {
		t.Fatalf("dry run of %s: %v", body, err)
	}
	return r
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// PodFromJob builds the Pod the Job controller would create from a Job's
// pod template (generateName <job>-, the template's metadata and spec).
func PodFromJob(job *unstructured.Unstructured) map[string]any {
	meta, _, _ := unstructured.NestedMap(job.Object, "spec", "template", "metadata")
	spec, _, _ := unstructured.NestedMap(job.Object, "spec", "template", "spec")
	name := job.GetName()
	if name == "" {
		name = strings.TrimSuffix(job.GetGenerateName(), "-")
	}
	md := map[string]any{"generateName": name + "-"}
	for _, k := range []string{"labels", "annotations"} {
		if v, ok := meta[k]; ok {
			md[k] = v
		}
	}
	if ns := job.GetNamespace(); ns != "" {
		md["namespace"] = ns
	}
	return map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}
}

// DryRunAppObjects dry-runs the application's own objects (everything that
// is not a hookgen Job) whose kind the API server serves, strictly, into
// their namespace or destNS. Kinds the server does not know (custom
// resources without their CRD) are returned as skipped. Rejections fail
// the test; warnings (Pod Security warnings on an app's workloads are the
// app's business, not hookgen's) are logged.
func DryRunAppObjects(t testing.TB, api *kubeapi.Server, objs []*unstructured.Unstructured, destNS string) (checked int, skipped []string) {
	t.Helper()
	if destNS == "" {
		destNS = NoNamespace
	}
	ctx := Ctx(t)
	for _, o := range objs {
		if IsHookgenJob(o) {
			continue
		}
		if _, err := api.CollectionPath(ctx, o.GetAPIVersion(), o.GetKind(), "x"); err != nil {
			if !strings.Contains(err.Error(), "has no kind") && !strings.Contains(err.Error(), "discovery of") {
				t.Fatalf("%s: %v", ObjectName(o), err)
			}
			skipped = append(skipped, ObjectName(o))
			continue
		}
		ns := o.GetNamespace()
		if ns == "" {
			ns = destNS
		}
		if o.GetKind() != "Namespace" {
			EnsureNamespace(t, api, ns)
		}
		body, err := json.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		create := api.DryRunCreate
		if o.GetKind() == "Namespace" {
			// It may exist already (made for a Job): Argo CD would apply it.
			create = api.DryRunApply
		}
		r, err := create(ctx, ns, body)
		if err != nil {
			t.Fatalf("%s: %v", ObjectName(o), err)
		}
		checked++
		switch {
		case !r.OK() && r.StatusCode == http.StatusForbidden && strings.Contains(r.Message(), "violates PodSecurity"):
			// The application's own pods are its business, not hookgen's
			// (a vendored chart's test Pod, say); hookgen's Jobs are held
			// to restricted in DryRunJobs.
			t.Logf("%s: the app's own object breaks Pod Security restricted: %s", ObjectName(o), r.Message())
		case !r.OK():
			t.Errorf("%s in namespace %s: the API server answers %s", ObjectName(o), ns, r)
		case len(r.Warnings) > 0:
			t.Logf("%s: accepted with warnings: %q", ObjectName(o), r.Warnings)
		}
	}
	return checked, skipped
}
