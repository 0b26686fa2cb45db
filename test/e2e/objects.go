package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/hookgen/hookgen/test/internal/golden"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Objects parses a YAML stream the way Argo CD parses plugin output
// (gitops-engine kube.SplitYAML).
func Objects(t testing.TB, stream []byte) []*unstructured.Unstructured {
	t.Helper()
	objs, err := kube.SplitYAML(stream)
	if err != nil {
		t.Fatalf("Argo CD's splitter cannot read the output: %v", err)
	}
	return objs
}

// IsHookgenJob reports whether obj is a Job hookgen generated.
func IsHookgenJob(obj *unstructured.Unstructured) bool {
	return obj.GetKind() == "Job" && obj.GetAPIVersion() == "batch/v1" &&
		obj.GetLabels()["app.kubernetes.io/managed-by"] == "hookgen"
}

// Jobs returns the hookgen Jobs among objs.
func Jobs(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if IsHookgenJob(o) {
			out = append(out, o)
		}
	}
	return out
}

// JobNamed returns the hookgen Job whose name (or generateName) is name.
func JobNamed(objs []*unstructured.Unstructured, name string) *unstructured.Unstructured {
	for _, o := range Jobs(objs) {
		if o.GetName() == name || o.GetGenerateName() == name {
			return o
		}
	}
	return nil
}

// ObjectName is kind/namespace/name (or generateName) for messages.
func ObjectName(o *unstructured.Unstructured) string {
	name := o.GetName()
	if name == "" {
		name = o.GetGenerateName() + "*"
	}
	if ns := o.GetNamespace(); ns != "" {
		name = ns + "/" + name
	}
	return o.GetKind() + " " + name
}

// SameObjects checks that got and want hold equal objects in the same
// order. Objects are compared as parsed data (Argo CD's cmp-server
// re-serialises the plugin's YAML as JSON, so bytes differ).
func SameObjects(t testing.TB, gotName, wantName string, got, want []*unstructured.Unstructured) bool {
	t.Helper()
	ok := true
	if len(got) != len(want) {
		t.Errorf("%s has %d objects, %s has %d:\n  %s\n  %s", gotName, len(got), wantName, len(want), names(got), names(want))
		ok = false
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		g, w := canonical(got[i]), canonical(want[i])
		if g != w {
			t.Errorf("object %d differs: %s has %s, %s has %s\n%s", i, gotName, ObjectName(got[i]), wantName, ObjectName(want[i]), golden.Diff(w, g))
			ok = false
		}
	}
	return ok
}

func names(objs []*unstructured.Unstructured) string {
	var s []string
	for _, o := range objs {
		s = append(s, ObjectName(o))
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func canonical(o *unstructured.Unstructured) string {
	b, err := json.MarshalIndent(o.Object, "", "  ")
	if err != nil {
		return fmt.Sprintf("(cannot marshal: %v)", err)
	}
	return string(b)
}

// Containers returns the containers of a Job's pod template.
func Containers(job *unstructured.Unstructured) []map[string]any {
	list, _, _ := unstructured.NestedSlice(job.Object, "spec", "template", "spec", "containers")
	var out []map[string]any
	for _, c := range list {
		if m, ok := c.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// RunnerRepo is the image repository of hookgen (sidecar and runner).
const RunnerRepo = "ghcr.io/hookgen/hookgen"

// CheckRunnerCommands checks every container of every hookgen Job that
// runs hookgen's own image: the image's entrypoint is Argo CD's
// argocd-cmp-server (see the Dockerfile), so the container must say
// command: [hookgen, run, <action>] itself. It returns how many it saw.
func CheckRunnerCommands(t testing.TB, objs []*unstructured.Unstructured) int {
	t.Helper()
	n := 0
	for _, j := range Jobs(objs) {
		for _, c := range Containers(j) {
			img, _ := c["image"].(string)
			if !strings.HasPrefix(img, RunnerRepo+":") && !strings.HasPrefix(img, RunnerRepo+"@") {
				continue
			}
			n++
			cmd, _ := c["command"].([]any)
			if len(cmd) < 3 || cmd[0] != "hookgen" || cmd[1] != "run" {
				t.Errorf("%s: container %v runs %s with command %v; the image's entrypoint is argocd-cmp-server", ObjectName(j), c["name"], img, c["command"])
			}
		}
	}
	return n
}
