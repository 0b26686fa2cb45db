package loop

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"

	"github.com/hookgen/hookgen/test/internal/kubeapi"
	harness "github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/node"
)

// Report is what a Run observed: one entry per sync, and the deletion.
type Report struct {
	// ArgoCD is the Argo CD release that ran the loop.
	ArgoCD      string   `json:"argocd"`
	Application string   `json:"application"`
	Namespace   string   `json:"namespace"`
	Sources     []Origin `json:"sources"`
	// Failing lists the Jobs kwok fails: exact names, or name prefixes
	// ending in "-" for generateName hooks.
	Failing []string `json:"failing,omitempty"`
	// Problems are what hookgen validate found in the app at its latest
	// revision (Argo CD then fails to generate its manifests).
	Problems []string      `json:"problems,omitempty"`
	Syncs    []*SyncReport `json:"syncs"`
	Delete   *DeleteReport `json:"delete,omitempty"`
	// Node is "real" when the pods ran on a real node (else kwok).
	Node string `json:"node,omitempty"`
	// Sink is what the recording sink (node.SinkURL) received during the
	// run, on a real node.
	Sink []node.Request `json:"sink,omitempty"`
	// Pods are the hook Jobs' pods a real node ran, with what the kubelet
	// reported of their containers.
	Pods []PodReport `json:"pods,omitempty"`
}

// PodReport is a pod of a Job, as the watch last saw it, with the last
// waiting and terminated states the kubelet reported of each container.
type PodReport struct {
	Namespace  string            `json:"namespace"`
	Name       string            `json:"name"`
	Job        string            `json:"job"`
	Hook       string            `json:"hook,omitempty"`
	Phase      string            `json:"phase"`
	Containers []ContainerReport `json:"containers"`
}

// ContainerReport is one container of a PodReport.
type ContainerReport struct {
	Name string `json:"name"`
	// ExitCode is set once the container terminated.
	ExitCode *int64 `json:"exitCode,omitempty"`
	// Reason and Message are the last terminated state's (Completed,
	// Error, ...), else the last waiting state's (ContainerCreating,
	// CreateContainerConfigError, ErrImagePull, ...).
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Waiting is the last waiting reason seen, even once terminated.
	Waiting string `json:"waiting,omitempty"`
}

// podReports condenses the watched Pod events of Jobs' pods.
func podReports(events []harness.Event) []PodReport {
	var out []PodReport
	index := map[string]int{}
	for _, e := range events {
		if e.Kind != "Pod" || e.Object == nil {
			continue
		}
		labels, _ := kubeapi.Nested(e.Object, "metadata", "labels").(map[string]any)
		job, _ := labels["batch.kubernetes.io/job-name"].(string)
		if job == "" {
			job, _ = labels["job-name"].(string)
		}
		if job == "" {
			continue
		}
		ns, _ := kubeapi.Nested(e.Object, "metadata", "namespace").(string)
		key := ns + "/" + e.Name
		i, ok := index[key]
		if !ok {
			hook, _ := labels["hookgen.dev/hook"].(string)
			out = append(out, PodReport{Namespace: ns, Name: e.Name, Job: job, Hook: hook})
			i = len(out) - 1
			index[key] = i
		}
		p := &out[i]
		if ph, _ := kubeapi.Nested(e.Object, "status", "phase").(string); ph != "" {
			p.Phase = ph
		}
		statuses, _ := kubeapi.Nested(e.Object, "status", "containerStatuses").([]any)
		for _, st := range statuses {
			m, _ := st.(map[string]any)
			name, _ := m["name"].(string)
			var c *ContainerReport
			for j := range p.Containers {
				if p.Containers[j].Name == name {
					c = &p.Containers[j]
				}
			}
			if c == nil {
				p.Containers = append(p.Containers, ContainerReport{Name: name})
				c = &p.Containers[len(p.Containers)-1]
			}
			if w, ok := kubeapi.Nested(m, "state", "waiting").(map[string]any); ok {
				c.Waiting, _ = w["reason"].(string)
				if c.ExitCode == nil {
					c.Reason, c.Message = c.Waiting, str(w["message"])
				}
			}
			if t, ok := kubeapi.Nested(m, "state", "terminated").(map[string]any); ok {
				code := int64(num(t["exitCode"]))
				c.ExitCode = &code
				c.Reason, c.Message = str(t["reason"]), str(t["message"])
			}
		}
	}
	return out
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int64:
		return float64(n)
	case int:
		return float64(n)
	}
	return 0
}

// Origin is one source of the Application.
type Origin struct {
	// Dir is the local directory that was copied; Path where it lies in the
	// fixture repository (the source's path).
	Dir    string `json:"dir"`
	Path   string `json:"path"`
	Plugin string `json:"plugin,omitempty"`
}

// SyncReport is one sync operation.
type SyncReport struct {
	Sync     int    `json:"sync"`
	Revision string `json:"revision"`
	// Phase and Message are status.operationState's.
	Phase   string `json:"phase"`
	Message string `json:"message"`
	// StartedAt and FinishedAt are the operation's own times (Argo CD
	// names generateName hooks after StartedAt).
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
	// Seconds is the wall time from the request to the finished operation.
	Seconds float64 `json:"seconds"`
	// SyncStatus and Health are the Application's, from a refresh asked
	// for once the operation had finished.
	SyncStatus string `json:"syncStatus"`
	Health     string `json:"health"`
	// Resources is status.operationState.syncResult.resources.
	Resources []Resource `json:"resources"`
	// Events are the changes watched from the request until the next
	// sync or deletion was requested (or the run ended).
	Events []Event `json:"events"`

	start time.Time
}

// Resource is one entry of syncResult.resources.
type Resource struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	SyncPhase string `json:"syncPhase,omitempty"`
	HookType  string `json:"hookType,omitempty"`
	HookPhase string `json:"hookPhase,omitempty"`
	Status    string `json:"status,omitempty"`
	Message   string `json:"message,omitempty"`
}

// DeleteReport is the Application's deletion.
type DeleteReport struct {
	// Deleted is true when the Application was gone before the timeout.
	Deleted bool    `json:"deleted"`
	Seconds float64 `json:"seconds"`
	// Error, Finalizers and Conditions describe an Application that was
	// not deleted in time.
	Error      string   `json:"error,omitempty"`
	Finalizers []string `json:"finalizers,omitempty"`
	Conditions []string `json:"conditions,omitempty"`
	Events     []Event  `json:"events"`

	start time.Time
}

// Event is a watched change of an object, condensed: every ADDED and
// DELETED, and a MODIFIED when the object's phase changed (for kinds
// without a phase, every MODIFIED).
type Event struct {
	Time time.Time `json:"time"`
	// At is seconds since the sync or the deletion was requested.
	At        float64 `json:"at"`
	Event     string  `json:"event"`
	Kind      string  `json:"kind"`
	Namespace string  `json:"namespace"`
	Name      string  `json:"name"`
	UID       string  `json:"uid"`
	// Hook is the argocd.argoproj.io/hook annotation.
	Hook string `json:"hook,omitempty"`
	// Phase is the object's state: Running, Succeeded or Failed for a Job
	// (its conditions), the pod phase for a Pod, Available or Progressing
	// for a Deployment, Deleting once deletion started.
	Phase string `json:"phase,omitempty"`
	// Object is the object as the watch delivered it.
	Object map[string]any `json:"-"`
}

func (e Event) String() string {
	s := fmt.Sprintf("%7.3fs %-8s %s %s/%s", e.At, e.Event, e.Kind, e.Namespace, e.Name)
	if e.Hook != "" {
		s += " hook=" + e.Hook
	}
	if e.Phase != "" {
		s += " phase=" + e.Phase
	}
	return s
}

// EventList prints events one per line.
func EventList(events []Event) string {
	var b strings.Builder
	for _, e := range events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func resources(st *v1alpha1.OperationState) []Resource {
	if st == nil || st.SyncResult == nil {
		return nil
	}
	out := []Resource{}
	for _, r := range st.SyncResult.Resources {
		out = append(out, Resource{
			Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name,
			SyncPhase: string(r.SyncPhase), HookType: string(r.HookType), HookPhase: string(r.HookPhase),
			Status: string(r.Status), Message: r.Message,
		})
	}
	return out
}

// condenser turns raw watch events into Events.
type condenser struct {
	phase map[string]string // kind/namespace/name/uid -> last phase
}

func (c *condenser) add(out []Event, raw harness.Event, origin time.Time) []Event {
	if c.phase == nil {
		c.phase = map[string]string{}
	}
	str := func(fields ...string) string { s, _ := kubeapi.Nested(raw.Object, fields...).(string); return s }
	e := Event{
		Time: raw.Time, At: secs(raw.Time.Sub(origin)), Event: raw.Type, Kind: raw.Kind,
		Namespace: str("metadata", "namespace"), Name: raw.Name, UID: str("metadata", "uid"),
		Phase: phaseOf(raw.Kind, raw.Object), Object: raw.Object,
	}
	if a, ok := kubeapi.Nested(raw.Object, "metadata", "annotations").(map[string]any); ok {
		e.Hook, _ = a["argocd.argoproj.io/hook"].(string)
	}
	key := strings.Join([]string{e.Kind, e.Namespace, e.Name, e.UID}, "/")
	last, seen := c.phase[key]
	c.phase[key] = e.Phase
	if raw.Type == "MODIFIED" && seen && e.Phase != "" && e.Phase == last {
		return out
	}
	if raw.Type == "ADDED" && seen {
		return out // a restarted watch lists the object again
	}
	return append(out, e)
}

// phaseOf derives an object's state for Event.Phase.
func phaseOf(kind string, obj map[string]any) string {
	if kubeapi.Nested(obj, "metadata", "deletionTimestamp") != nil {
		return "Deleting"
	}
	switch kind {
	case "Job":
		switch {
		case harness.HasCondition(obj, "Failed"):
			return "Failed"
		case harness.HasCondition(obj, "Complete"):
			return "Succeeded"
		}
		return "Running"
	case "Pod":
		p, _ := kubeapi.Nested(obj, "status", "phase").(string)
		return p
	case "Deployment":
		want := 1.0
		if r, ok := kubeapi.Nested(obj, "spec", "replicas").(float64); ok {
			want = r
		}
		num := func(f string) float64 { v, _ := kubeapi.Nested(obj, "status", f).(float64); return v }
		gen, _ := kubeapi.Nested(obj, "metadata", "generation").(float64)
		if num("observedGeneration") >= gen && num("updatedReplicas") == want && num("availableReplicas") == want && num("replicas") == want {
			return "Available"
		}
		return "Progressing"
	}
	return ""
}

// sortEvents orders raw events of several recorders by arrival.
func sortEvents(evs []harness.Event) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
}
