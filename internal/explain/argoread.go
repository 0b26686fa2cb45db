package explain

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/internal/emit"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/jobgen"
	"github.com/hookgen/hookgen/internal/manifest"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// How Argo CD reads one object of the output: its sync phases and wave as
// gitops-engine computes them (pkg/sync/hook, pkg/sync/hook/helm,
// pkg/sync/syncwaves, and syncPhases in pkg/sync), and its deletion hook
// types as Argo CD's controller finds them (controller/hook.go). The test
// module holds this reading to gitops-engine's own functions over every
// golden output.

// helmSyncTypes is gitops-engine's mapping of Helm hook types to sync
// hook types (pkg/sync/hook/helm/type.go). Every other Helm type makes a
// hook that runs in no sync phase.
var helmSyncTypes = map[string]hookspec.Phase{
	"pre-install":  hookspec.PreSync,
	"pre-upgrade":  hookspec.PreSync,
	"post-install": hookspec.PostSync,
	"post-upgrade": hookspec.PostSync,
}

// deleteHookValues are the annotation values Argo CD's controller reads
// as deletion hooks (controller/hook.go).
var deleteHookValues = map[hookspec.Phase][2]string{
	hookspec.PreDelete:  {string(hookspec.PreDelete), "pre-delete"},
	hookspec.PostDelete: {string(hookspec.PostDelete), "post-delete"},
}

// An ArgoReading is what Argo CD makes of one object.
type ArgoReading struct {
	// Hook is gitops-engine's hook.IsHook: the object is not applied
	// with the application's resources but as a hook, in its phases.
	Hook bool
	// Skip is gitops-engine's hook.Skip: never applied.
	Skip bool
	// SyncPhases are the phases of a sync the object is applied in, in
	// Argo CD's order: Sync for an ordinary resource, a hook's types, none
	// for a skipped object or a hook of no sync type.
	SyncPhases []hookspec.Phase
	// Wave is the object's sync wave (syncwaves.Wave): the sync-wave
	// annotation when it is an integer, else helm.sh/hook-weight when it
	// is one, else 0.
	Wave int
	// DeletePhases are PreDelete and PostDelete when Argo CD 3.3's
	// controller reads the object as such a hook: one of the values of
	// the argocd.argoproj.io/hook or helm.sh/hook list.
	DeletePhases []hookspec.Phase
	// PostDeleteV2 is whether Argo CD 2.x's controller (2.14) reads it as
	// a PostDelete hook: there an annotation must be exactly PostDelete
	// or post-delete, not a list holding it.
	PostDeleteV2 bool
	// Helm is set when Helm's hook annotation decided the sync phases
	// (the object has no argocd.argoproj.io/hook types): its values.
	Helm []string
}

// Runs reports whether Argo CD applies the object in any phase.
func (r ArgoReading) Runs() bool { return len(r.SyncPhases)+len(r.DeletePhases) > 0 }

// annotationsOf returns an object's annotations as Kubernetes'
// unstructured GetAnnotations does: none at all when metadata.annotations
// is not a map of strings.
func objectAnnotations(obj map[string]any) map[string]string {
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		return nil
	}
	raw, ok := meta["annotations"].(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		out[k] = s
	}
	return out
}

// csv splits an annotation as gitops-engine's GetAnnotationCSVs does:
// trimmed, empty values dropped, each value once.
func csv(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// argoHookTypes are gitops-engine's hook.Types: the known types of the
// argocd.argoproj.io/hook annotation (Skip among them), or when it has
// none, the sync types of Helm's hook annotation.
func argoHookTypes(ann map[string]string) (types []string, helm bool) {
	for _, v := range csv(ann[hookspec.AnnotationHook]) {
		switch hookspec.Phase(v) {
		case hookspec.PreSync, hookspec.Sync, hookspec.PostSync, hookspec.SyncFail, manifest.Skip:
			types = append(types, v)
		}
	}
	if len(types) > 0 {
		return types, false
	}
	for _, v := range csv(ann[hookspec.HelmAnnotationHook]) {
		if p, ok := helmSyncTypes[v]; ok {
			types = append(types, string(p))
		}
	}
	return types, true
}

// ReadArgo reads an object, decoded as the API server decodes it, the
// way Argo CD does.
func ReadArgo(obj map[string]any) ArgoReading {
	ann := objectAnnotations(obj)
	var r ArgoReading
	types, fromHelm := argoHookTypes(ann)
	// hook.Skip: Skip is the only type (the Argo CD types are each once).
	r.Skip = len(types) == 1 && types[0] == manifest.Skip
	if _, ok := ann[hookspec.AnnotationHook]; ok {
		r.Hook = !r.Skip
	} else if v, ok := ann[hookspec.HelmAnnotationHook]; ok && v != manifest.HelmCRDInstall {
		r.Hook = true
	}
	switch {
	case r.Skip:
	case r.Hook:
		for _, p := range []hookspec.Phase{hookspec.PreSync, hookspec.Sync, hookspec.PostSync, hookspec.SyncFail} {
			if slices.Contains(types, string(p)) {
				r.SyncPhases = append(r.SyncPhases, p)
			}
		}
		if fromHelm {
			r.Helm = csv(ann[hookspec.HelmAnnotationHook])
		}
	default:
		r.SyncPhases = []hookspec.Phase{hookspec.Sync}
	}
	if n, err := strconv.Atoi(ann[hookspec.AnnotationSyncWave]); err == nil {
		r.Wave = n
	} else if n, err := strconv.Atoi(ann[hookspec.HelmAnnotationHookWeight]); err == nil {
		r.Wave = n
	}
	for _, p := range []hookspec.Phase{hookspec.PreDelete, hookspec.PostDelete} {
		vals := deleteHookValues[p]
		for i, key := range []string{hookspec.AnnotationHook, hookspec.HelmAnnotationHook} {
			v, ok := ann[key]
			if !ok {
				continue
			}
			if slices.ContainsFunc(strings.Split(v, ","), func(s string) bool { return strings.TrimSpace(s) == vals[i] }) && !slices.Contains(r.DeletePhases, p) {
				r.DeletePhases = append(r.DeletePhases, p)
			}
			if p == hookspec.PostDelete && v == vals[i] {
				r.PostDeleteV2 = true
			}
		}
	}
	return r
}

// An Object is one object of the output stream as Argo CD receives it: a
// List's items are objects of their own, as the repo-server splits them.
type Object struct {
	APIVersion, Kind   string
	Name, GenerateName string
	Namespace          string
	Argo               ArgoReading
	Job                *jobgen.Job        // the generated hook; nil for the application's own
	Manifest           *manifest.Manifest // the document it comes from; nil for a generated hook
	// TTL is a Job's spec.ttlSecondsAfterFinished, nil when unset.
	TTL *float64
}

// Label names the object for a reader: Kind/name, or Kind/prefix* for a
// generateName.
func (o *Object) Label() string {
	if o.Job != nil {
		if o.Job.Generate {
			return o.Job.Name + "*"
		}
		return o.Job.Name
	}
	name := o.Name
	if name == "" && o.GenerateName != "" {
		name = o.GenerateName + "*"
	}
	return o.Kind + "/" + name
}

// streamObjects lists the objects of a result in the order it prints
// them, each read as Argo CD reads it.
func streamObjects(res *emit.Result) []*Object {
	var out []*Object
	add := func(v any, m *manifest.Manifest, j *jobgen.Job) {
		obj, _ := v.(map[string]any)
		o := &Object{Manifest: m, Job: j, Argo: ReadArgo(obj)}
		if obj == nil && m != nil {
			o.APIVersion, o.Kind, o.Name, o.Namespace = m.APIVersion, m.Kind, m.Name, m.Namespace
			out = append(out, o)
			return
		}
		o.APIVersion, _ = obj["apiVersion"].(string)
		o.Kind, _ = obj["kind"].(string)
		if meta, ok := obj["metadata"].(map[string]any); ok {
			o.Name, _ = meta["name"].(string)
			o.GenerateName, _ = meta["generateName"].(string)
			o.Namespace, _ = meta["namespace"].(string)
		}
		if o.Kind == "Job" {
			if ttl, ok := yamlio.Number(yamlio.Get(obj, "spec", "ttlSecondsAfterFinished")); ok {
				o.TTL = &ttl
			}
		}
		out = append(out, o)
	}
	for _, m := range res.Manifests {
		v := yamlio.ValueOf(m.Node())
		obj, _ := v.(map[string]any)
		// The repo-server's reading: an object whose items are a list is
		// a List, each item an object; items: null is nothing at all.
		if items, ok := obj["items"].([]any); ok {
			for _, it := range items {
				if _, ok := it.(map[string]any); ok {
					add(it, m, nil)
				}
			}
			continue
		}
		if isNullList(obj) {
			continue
		}
		add(obj, m, nil)
	}
	for _, j := range res.Jobs {
		add(yamlio.ValueOf(j.Node), nil, j)
	}
	return out
}

// isNullList is the repo-server's isNullList: items: null, and neither
// spec nor status, is an empty List.
func isNullList(obj map[string]any) bool {
	it, ok := obj["items"]
	if !ok || it != nil {
		return false
	}
	_, spec := obj["spec"]
	_, status := obj["status"]
	return !spec && !status
}
