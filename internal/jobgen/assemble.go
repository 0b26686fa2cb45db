package jobgen

import (
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// assemble wraps a substituted JobSpec into a complete, hardened Job.
func (g *Generator) assemble(h *hookset.MergedHook, k *hookspec.Knobs, st settings, sc *subst.Scope, spec *yaml.Node, j *Job) {
	fail := func(n *yaml.Node, format string, args ...any) {
		g.Ps.Add(g.Origins.Pos(n, h.Pos()), h.Name, format, args...)
	}
	g.jobName(h, k, st, sc, j)
	meta := g.jobMetadata(h, k, st, sc, j)
	js := jobSpec(st, spec)
	pod := yamlio.MapGet(js, "template")
	podSpec := yamlio.MapGet(pod, "spec")
	if podSpec == nil || podSpec.Kind != yaml.MappingNode {
		fail(spec, "the job has no pod template (template.spec)")
		return
	}
	g.podMetadata(h, k, sc, pod)
	added := g.podFields(h, k, sc, podSpec, fail)
	g.podPlacement(h, k, sc, podSpec)
	hard := HardeningOf(k, len(ServiceAccounts(yamlio.Obj(yamlio.ValueOf(podSpec)))) > 0)
	j.DefaultUser = hardenPod(podSpec, hard, fail)
	g.containers(h, k, sc, j, podSpec, hard, added, fail)

	// The pod template reads metadata first, and the Job in block style.
	if pm := yamlio.MapGet(pod, "metadata"); pm != nil {
		yamlio.MapDelete(pod, "metadata")
		pod.Content = append([]*yaml.Node{yamlio.NewStr("metadata"), pm}, pod.Content...)
	}
	dropEmpty(podSpec, "securityContext")
	yamlio.Canonical(js)
	j.Node = yamlio.NewMap(
		"apiVersion", yamlio.NewStr("batch/v1"),
		"kind", yamlio.NewStr("Job"),
		"metadata", meta,
		"spec", js,
	)
}

// jobName sets the Job's name (or generateName) and namespace.
func (g *Generator) jobName(h *hookset.MergedHook, k *hookspec.Knobs, st settings, sc *subst.Scope, j *Job) {
	base := h.Name + "-" + strings.ToLower(string(j.Phase))
	if st.generateName {
		j.Name, j.Generate = base+"-", true
		if limit := maxNameLength - generateNameSuffixFixed - len(j.Phase); len(j.Name) > limit {
			g.Ps.Add(h.Pos(), h.Name, "generateName %q is %d characters; with Argo CD's suffix the Job name would pass Kubernetes' 63: shorten the hook name to at most %d characters", j.Name, len(j.Name), limit-len(j.Phase)-2)
		}
	} else {
		j.Name = base
		if len(base) > maxNameLength {
			g.Ps.Add(h.Pos(), h.Name, "Job name %q is %d characters; Kubernetes allows %d: shorten the hook name", base, len(base), maxNameLength)
		}
	}
	if k.Namespace != nil {
		ns, ok := g.Text(h, sc, "namespace", *k.Namespace)
		j.Namespace = ns
		if ok && !hookset.IsDNSLabel(j.Namespace) {
			g.Ps.Add(h.At("namespace"), h.Name, "namespace %q is not a DNS-1123 label", subst.Clip(j.Namespace, 80))
		}
	}
}

// jobMetadata returns the Job's metadata: name, namespace, hookgen's
// labels and Argo CD's hook annotations, then the hook's own.
func (g *Generator) jobMetadata(h *hookset.MergedHook, k *hookspec.Knobs, st settings, sc *subst.Scope, j *Job) *yaml.Node {
	meta := yamlio.NewMap()
	if j.Generate {
		yamlio.MapSet(meta, "generateName", yamlio.NewStr(j.Name))
	} else {
		yamlio.MapSet(meta, "name", yamlio.NewStr(j.Name))
	}
	if j.Namespace != "" {
		yamlio.MapSet(meta, "namespace", yamlio.NewStr(j.Namespace))
	}
	yamlio.MapSet(meta, "labels", yamlio.StrMap(map[string]string{hookspec.LabelManagedBy: hookspec.ManagedBy, hookspec.LabelHook: h.Name}))
	policy := st.policy(j.Phase)
	for _, p := range policy {
		j.DeletePolicy = append(j.DeletePolicy, hookspec.DeletePolicy(p))
	}
	ann := map[string]string{
		hookspec.AnnotationHook:             string(j.Phase),
		hookspec.AnnotationHookDeletePolicy: strings.Join(policy, ","),
	}
	if st.wave != nil {
		ann[hookspec.AnnotationSyncWave] = strconv.Itoa(int(*st.wave))
	}
	if j.Template != "" {
		ann[hookspec.AnnotationTemplate] = j.Template
	}
	yamlio.MapSet(meta, "annotations", yamlio.StrMap(ann))
	g.jobMeta(h, k, sc, meta)
	return meta
}

// jobSpec returns the Job spec: hookgen's settings first, then the
// template's.
func jobSpec(st settings, spec *yaml.Node) *yaml.Node {
	js := yamlio.NewMap("activeDeadlineSeconds", yamlio.NewInt(st.deadline), "backoffLimit", yamlio.NewInt(int64(st.backoff)))
	if st.ttl != nil {
		yamlio.MapSet(js, "ttlSecondsAfterFinished", yamlio.NewInt(int64(*st.ttl)))
	}
	for i := 0; i+1 < len(spec.Content); i += 2 {
		switch key := spec.Content[i].Value; key {
		case "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished":
		default:
			js.Content = append(js.Content, spec.Content[i], spec.Content[i+1])
		}
	}
	return js
}

// podMetadata merges the hook's pod labels and annotations, and hookgen's
// labels, into the pod template's metadata.
func (g *Generator) podMetadata(h *hookset.MergedHook, k *hookspec.Knobs, sc *subst.Scope, pod *yaml.Node) {
	podMeta := yamlio.MapEnsure(pod, "metadata")
	mergeStrings(podMeta, "labels", g.labels(h, sc, "podLabels", k.PodLabels))
	mergeStrings(podMeta, "labels", map[string]string{hookspec.LabelManagedBy: hookspec.ManagedBy, hookspec.LabelHook: h.Name})
	if len(k.PodAnnotations) > 0 {
		anns := map[string]string{}
		for key, v := range k.PodAnnotations {
			anns[key], _ = g.Text(h, sc, "podAnnotations."+key, v)
			if msg := hookset.CheckQualifiedName(key); msg != "" {
				g.Ps.Add(h.At("podAnnotations."+key), h.Name, "podAnnotations: key %q %s", key, msg)
			}
		}
		mergeStrings(podMeta, "annotations", anns)
	}
}

// labels substitutes a map of Kubernetes labels of the hook's field
// (podLabels, nodeSelector) and checks each key and value as a label.
func (g *Generator) labels(h *hookset.MergedHook, sc *subst.Scope, field string, m map[string]string) map[string]string {
	out := map[string]string{}
	for key, v := range m {
		text, ok := g.Text(h, sc, field+"."+key, v)
		out[key] = text
		if !ok {
			text = "" // the key alone is checked
		}
		if msg := hookset.CheckLabel(key, text); msg != "" {
			g.Ps.Add(h.At(field+"."+key), h.Name, "%s: %s", field, msg)
		}
	}
	return out
}

// podPlacement sets the pod's service account, node selector and
// tolerations from the hook.
func (g *Generator) podPlacement(h *hookset.MergedHook, k *hookspec.Knobs, sc *subst.Scope, podSpec *yaml.Node) {
	if k.ServiceAccountName != nil {
		sa, ok := g.Text(h, sc, "serviceAccountName", *k.ServiceAccountName)
		if ok && !hookset.IsDNSSubdomain(sa) {
			g.Ps.Add(h.At("serviceAccountName"), h.Name, "serviceAccountName %q is not a DNS-1123 subdomain", subst.Clip(sa, 80))
		}
		yamlio.MapSet(podSpec, "serviceAccountName", yamlio.NewStr(sa))
	}
	if len(k.NodeSelector) > 0 {
		mergeStrings(podSpec, "nodeSelector", g.labels(h, sc, "nodeSelector", k.NodeSelector))
	}
	if k.Tolerations != nil {
		yamlio.MapSet(podSpec, "tolerations", tolerationNodes(k.Tolerations))
	}
}

// containers checks every container's name and image, gives it the
// runner's and the hook's environment, the hook's resources and pull
// policy, hardens it and mounts what it may write.
func (g *Generator) containers(h *hookset.MergedHook, k *hookspec.Knobs, sc *subst.Scope, j *Job, podSpec *yaml.Node, hard Hardened, added map[*yaml.Node]bool, fail func(*yaml.Node, string, ...any)) {
	var env []*yaml.Node
	for _, e := range k.Env {
		env = append(env, g.envNode(h, sc, e))
	}
	needTmp := false
	names := map[string]bool{}
	for _, key := range []string{"initContainers", "containers"} {
		list := yamlio.MapGet(podSpec, key)
		if list == nil {
			continue
		}
		for _, c := range list.Content {
			name := yamlio.MapGet(c, "name")
			if name == nil || name.Kind != yaml.ScalarNode || !hookset.IsDNSLabel(name.Value) {
				fail(c, "every container needs a name that is a DNS-1123 label")
				continue
			}
			if names[name.Value] {
				fail(name, "two containers are named %q: rename the one in initContainers or extraContainers", name.Value)
			}
			names[name.Value] = true
			if img := yamlio.MapGet(c, "image"); img == nil || img.Kind != yaml.ScalarNode || strings.TrimSpace(img.Value) == "" || strings.ContainsAny(img.Value, " \t\n") {
				fail(c, "container %q needs an image (a reference without spaces)", name.Value)
			}
			if isRunner(c) {
				addEnv(c, g.runnerEnv(h, j.Phase), g.Origins.Copy)
			}
			if len(env) > 0 {
				addEnv(c, env, g.Origins.Copy)
			}
			// The hook's settings win over the template's containers; a
			// container the hook adds keeps what it sets itself.
			if k.Resources != nil && (!added[c] || yamlio.MapGet(c, "resources") == nil) {
				yamlio.MapSet(c, "resources", resourcesNode(k.Resources))
			}
			if k.ImagePullPolicy != nil && (!added[c] || yamlio.MapGet(c, "imagePullPolicy") == nil) {
				yamlio.MapSet(c, "imagePullPolicy", yamlio.NewStr(*k.ImagePullPolicy))
			}
			hardenContainer(c, name.Value, hard, fail)
			checkStrings(c, name.Value, fail)
			if hard.ReadOnlyRoot && addTmpMount(c) {
				needTmp = true
			}
			if len(k.WritablePaths) > 0 {
				hookset.AddWritableMounts(c, k.WritablePaths)
			}
		}
	}
	if needTmp {
		addTmpVolume(podSpec)
	}
	if len(k.WritablePaths) > 0 {
		hookset.AddWritableVolumes(podSpec, k.WritablePaths)
	}
}

// dropEmpty removes a mapping left empty under key in m and in m's
// containers (a securityContext with everything opted out).
func dropEmpty(podSpec *yaml.Node, key string) {
	del := func(m *yaml.Node) {
		if v := yamlio.MapGet(m, key); v != nil && v.Kind == yaml.MappingNode {
			if caps := yamlio.MapGet(v, "capabilities"); caps != nil && caps.Kind == yaml.MappingNode && len(caps.Content) == 0 {
				yamlio.MapDelete(v, "capabilities")
			}
			if len(v.Content) == 0 {
				yamlio.MapDelete(m, key)
			}
		}
	}
	del(podSpec)
	for _, list := range []string{"initContainers", "containers"} {
		if l := yamlio.MapGet(podSpec, list); l != nil {
			for _, c := range l.Content {
				del(c)
			}
		}
	}
}

// checkStrings reports container fields Kubernetes wants as strings that
// hold another type (an unquoted number in args, true as an env value).
func checkStrings(c *yaml.Node, name string, fail func(*yaml.Node, string, ...any)) {
	for _, key := range []string{"command", "args"} {
		if l := yamlio.MapGet(c, key); l != nil && l.Kind == yaml.SequenceNode {
			for i, item := range l.Content {
				if !isStringNode(item) {
					fail(item, "container %q: %s[%d] is %s; Kubernetes wants a string here: quote it", name, key, i, yamlio.KindName(item))
				}
			}
		}
	}
	if l := yamlio.MapGet(c, "env"); l != nil && l.Kind == yaml.SequenceNode {
		for _, e := range l.Content {
			if v := yamlio.MapGet(e, "value"); v != nil && !isStringNode(v) {
				n := yamlio.MapGet(e, "name")
				envName := ""
				if n != nil {
					envName = n.Value
				}
				fail(v, "container %q: env %s is %s; Kubernetes wants a string here: quote it", name, envName, yamlio.KindName(v))
			}
		}
	}
}
