package jobgen

import (
	"strings"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// podFields sets the hook's pod fields on the pod spec, before it is
// hardened; it returns the containers the hook added.
func (g *Generator) podFields(h *hookset.MergedHook, k *hookspec.Knobs, sc *subst.Scope, podSpec *yaml.Node, fail func(*yaml.Node, string, ...any)) map[*yaml.Node]bool {
	rp := derefOr(k.RestartPolicy, "Never")
	if v := yamlio.MapGet(podSpec, "restartPolicy"); v != nil {
		switch got := yamlio.ValueOf(v); got {
		case "Never", rp:
		case "OnFailure":
			fail(v, "the job's restartPolicy is OnFailure: set the hook field restartPolicy: OnFailure to choose it (the pod then restarts in place and backoffLimit counts container restarts)")
		default:
			fail(v, "restartPolicy must be Never or OnFailure for a hook Job, not %v", got)
		}
	}
	yamlio.MapSet(podSpec, "restartPolicy", yamlio.NewStr(rp))
	if len(k.ImagePullSecrets) > 0 {
		list := yamlio.MapGet(podSpec, "imagePullSecrets")
		if list == nil || list.Kind != yaml.SequenceNode {
			list = yamlio.NewSeq()
			yamlio.MapSet(podSpec, "imagePullSecrets", list)
		}
		for _, s := range k.ImagePullSecrets {
			dup := false
			for _, old := range list.Content {
				dup = dup || yamlio.Str(yamlio.ValueOf(yamlio.MapGet(old, "name"))) == s.Name
			}
			if !dup {
				list.Content = append(list.Content, yamlio.NewMap("name", yamlio.NewStr(s.Name)))
			}
		}
	}
	if k.Affinity != nil && k.Affinity.Kind == yaml.MappingNode {
		yamlio.MapSet(podSpec, "affinity", g.substitute(h, sc, k.Affinity, h.At("affinity")))
	}
	if k.PriorityClassName != nil {
		pc, ok := g.Text(h, sc, "priorityClassName", *k.PriorityClassName)
		if ok && !hookset.IsDNSSubdomain(pc) {
			g.Ps.Add(h.At("priorityClassName"), h.Name, "priorityClassName %q is not a DNS-1123 subdomain", subst.Clip(pc, 80))
		}
		yamlio.MapSet(podSpec, "priorityClassName", yamlio.NewStr(pc))
	}
	added := map[*yaml.Node]bool{}
	for _, list := range []struct {
		key, field string
		items      []*yaml.Node
	}{{"initContainers", "initContainers", k.InitContainers}, {"containers", "extraContainers", k.ExtraContainers}} {
		if len(list.items) == 0 {
			continue
		}
		dst := yamlio.MapGet(podSpec, list.key)
		if dst == nil || dst.Kind != yaml.SequenceNode {
			dst = yamlio.NewSeq()
			yamlio.MapSet(podSpec, list.key, dst)
		}
		for _, c := range list.items {
			if c == nil || c.Kind != yaml.MappingNode {
				continue // reported when loaded
			}
			n := g.substitute(h, sc, c, h.At(list.field))
			added[n] = true
			dst.Content = append(dst.Content, n)
		}
	}
	return added
}

// jobMeta adds the hook's labels, annotations and sync options to the
// Job's metadata.
func (g *Generator) jobMeta(h *hookset.MergedHook, k *hookspec.Knobs, sc *subst.Scope, meta *yaml.Node) {
	labels := map[string]string{}
	for key, v := range k.Labels {
		text, ok := g.Text(h, sc, "labels."+key, v)
		labels[key] = text
		if msg := hookset.CheckLabel(key, text); msg != "" && ok && strings.Contains(v, "$(") {
			g.Ps.Add(h.At("labels."+key), h.Name, "labels: %s", msg)
		}
	}
	// hookgen's own labels were refused when loaded; they win regardless.
	mergeStrings(meta, "labels", labels)
	mergeStrings(meta, "labels", map[string]string{hookspec.LabelManagedBy: hookspec.ManagedBy, hookspec.LabelHook: h.Name})
	anns := map[string]string{}
	for key, v := range k.Annotations {
		if hookset.ReservedAnnotation(key) == "" {
			anns[key], _ = g.Text(h, sc, "annotations."+key, v)
		}
	}
	if len(k.SyncOptions) > 0 {
		anns[hookspec.AnnotationSyncOptions] = strings.Join(k.SyncOptions, ",")
	}
	mergeStrings(meta, "annotations", anns)
}
