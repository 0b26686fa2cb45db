package transform

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/internal/canon"
	"github.com/hookgen/hookgen/internal/hookpolicy"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/jobgen"
	"github.com/hookgen/hookgen/internal/manifest"
	"github.com/hookgen/hookgen/internal/podsec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The judge is the last stage of a run. It reads the final stream, after
// templates, substitution, overrides, platform injection, kustomize
// (namespace, name prefixes, patches), annotate rules and
// convertHelmHooks, and applies the policy to every hook in it, whatever
// made it: the Jobs hookgen generated, and the application's own
// resources Argo CD will run as hooks (an argocd.argoproj.io/hook
// annotation other than Skip alone, or a helm.sh/hook one other than
// crd-install, as gitops-engine's hook.IsHook decides). It reads each
// object as the API server decodes it (canon.Value), never the text of a
// scalar.

// podSecurity judges a pod by Pod Security level restricted
// (internal/podsec): meta and spec are the pod template's metadata and
// spec as the API server decodes them.
func podSecurity(meta, spec map[string]any) []podFinding {
	var out []podFinding
	for _, v := range podsec.Restricted(meta, spec) {
		out = append(out, podFinding{Field: v.Field, Check: v.Check, Message: v.Message, Unset: v.Unset})
	}
	return out
}

// podFinding is one thing podSecurity refuses.
type podFinding struct {
	Field   string // spec.containers[0].securityContext.privileged, metadata.annotations[key]
	Check   string // the Pod Security check id
	Message string
	Unset   bool // hardening the pod leaves out (podsec.Violation.Unset)
}

// podSecurityRule is the policy rule that allows what a Pod Security
// check forbids ("" for a value Kubernetes cannot decode: never allowed).
var podSecurityRule = map[string]string{
	podsec.CheckHostNamespaces:             "pods.allowHostNamespaces",
	podsec.CheckWindowsHostProcess:         "pods.allowHostNamespaces",
	podsec.CheckHostPorts:                  "pods.allowHostPorts",
	podsec.CheckPrivileged:                 "pods.allowPrivileged",
	podsec.CheckAllowPrivilegeEscalation:   "pods.allowPrivileged",
	podsec.CheckSELinuxOptions:             "pods.allowPrivileged",
	podsec.CheckSysctls:                    "pods.allowPrivileged",
	podsec.CheckHostProbesAndHostLifecycle: "pods.allowPrivileged",
	podsec.CheckCapabilitiesRestricted:     "pods.allowCapabilities",
	podsec.CheckRestrictedVolumes:          "pods.allowHostPath",
	podsec.CheckRunAsNonRoot:               "pods.allowRoot",
	podsec.CheckRunAsUser:                  "pods.allowRoot",
	podsec.CheckSeccompProfileRestricted:   "pods.allowHardeningOptOut",
	podsec.CheckAppArmorProfile:            "pods.allowHardeningOptOut",
	podsec.CheckProcMountRestricted:        "pods.allowHardeningOptOut",
}

// fieldPath reads a finding's field (spec.a[0].b, metadata.annotations[k])
// as a path under the pod template at (the pod spec's path).
func fieldPath(at hookpolicy.Path, field string) hookpolicy.Path {
	out := slices.Clone(at[:len(at)-1])
	for field != "" {
		switch {
		case field[0] == '.':
			field = field[1:]
		case field[0] == '[':
			end := strings.IndexByte(field, ']')
			if end < 0 {
				return out
			}
			key := field[1:end]
			if i, err := strconv.Atoi(key); err == nil {
				out = append(out, i)
			} else {
				out = append(out, key)
			}
			field = field[end+1:]
		default:
			end := strings.IndexAny(field, ".[")
			if end < 0 {
				end = len(field)
			}
			out = append(out, field[:end])
			field = field[end:]
		}
	}
	return out
}

// judge applies the policy to every hook of the output.
func judge(jobs []*jobgen.Job, manifests []*manifest.Manifest, p *hookpolicy.HookPolicy, ctx hookspec.Context, o *problem.Origins, ps *problem.Collector) {
	if p == nil {
		return
	}
	for _, j := range jobs {
		judgeJob(j, p, ctx, o, ps)
	}
	if p.Open() || p.Spec.ManifestHooks == hookpolicy.ManifestHooksIgnore {
		// Without a policy file there is nothing the application's own
		// hooks are held to.
		return
	}
	for _, m := range manifests {
		judgeManifest(m, p, ctx, ps)
	}
}

func judgeJob(j *jobgen.Job, p *hookpolicy.HookPolicy, ctx hookspec.Context, o *problem.Origins, ps *problem.Collector) {
	v, err := canon.Value(j.Node)
	obj, ok := v.(map[string]any)
	if err != nil || !ok {
		ps.Add(j.Pos, j.Hook, "the generated Job has no single value as Kubernetes reads it: %v", err)
		return
	}
	if j.Injected != nil && !reflect.DeepEqual(obj, j.Injected) {
		ps.Add(j.Pos, j.Hook, "a hook the platform injects was changed after it was generated; hookgen prints platform hooks exactly as the platform wrote them: report this")
		return
	}
	fallback := j.Pos
	fail := func(at hookpolicy.Path, rule, format string, args ...any) {
		pos := fallback
		if j.Decl != nil {
			pos = j.Decl.At(jobgen.RuleField[rule])
		}
		pos = o.Pos(nodeAt(j.Node, at), pos)
		if j.Quiet[pos] {
			return // follows from a problem found while building the Job
		}
		msg := fmt.Sprintf(format, args...)
		if rule == "namespaces" && j.MovedBy != "" {
			msg += fmt.Sprintf(" (the hook names no namespace; %s moves it there)", j.MovedBy)
		}
		ps.Add(pos, j.Hook, "policy %s: %s", rule, msg)
	}
	if j.Decl != nil {
		judgeDecl(p, j, obj, fail)
	}
	hardened := false
	if j.Knobs != nil {
		spec, _ := yamlio.Get(obj, "spec", "template", "spec").(map[string]any)
		h := jobgen.HardeningOf(j.Knobs, len(jobgen.ServiceAccounts(spec)) > 0)
		hardened = h.RunAsNonRoot && h.Seccomp && h.NoEscalation && h.DropAll
	}
	judgeObject(p, obj, []hookspec.Phase{j.Phase}, ctx, hardened, fail)
}

func judgeManifest(m *manifest.Manifest, p *hookpolicy.HookPolicy, ctx hookspec.Context, ps *problem.Collector) {
	if m.Raw != nil && !manifest.MayBeHook(m.Raw) {
		return // printed as this text, which cannot hold a hook annotation
	}
	n := m.Node()
	if n == nil {
		return
	}
	v, err := canon.Value(n)
	if err != nil {
		ps.Add(manifestPos(m, nil), "", "%s: Kubernetes cannot read it as one object: %v", manifest.ResourceName(m), err)
		return
	}
	var visit func(v any, at hookpolicy.Path)
	visit = func(v any, at hookpolicy.Path) {
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		if kind, _ := obj["kind"].(string); strings.HasSuffix(kind, "List") {
			items, _ := obj["items"].([]any)
			for i, it := range items {
				visit(it, at.With("items", i))
			}
			return
		}
		phases, hook := manifestHook(obj)
		if !hook {
			return
		}
		name := objName(obj)
		fail := func(path hookpolicy.Path, rule, format string, args ...any) {
			full := append(slices.Clip(at), path...)
			ps.Add(manifestPos(m, nodeAt(n, full)), "", "%s: policy %s: %s", name, rule, fmt.Sprintf(format, args...))
		}
		judgeObject(p, obj, phases, ctx, false, fail)
	}
	visit(v, nil)
}

// manifestPos is where a node of a manifest is: the line in its file, or
// the kustomization for a resource kustomize built.
func manifestPos(m *manifest.Manifest, n *yaml.Node) problem.Pos {
	pos := problem.Pos{File: m.File, Line: m.Line}
	if m.Kres != nil {
		return problem.Pos{File: m.File}
	}
	if n != nil && n.Line > 0 {
		pos.Line = m.Line + n.Line - 1
	}
	return pos
}

func objName(obj map[string]any) string {
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		name, _ = meta["generateName"].(string)
		name += "*"
	}
	return kind + "/" + name
}

// manifestHook reports whether Argo CD runs the object as a hook, and in
// which phases (gitops-engine hook.IsHook, helm.IsHook).
func manifestHook(obj map[string]any) ([]hookspec.Phase, bool) {
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	if v, ok := ann[hookspec.AnnotationHook]; ok {
		s, _ := v.(string)
		var phases []hookspec.Phase
		types := 0
		for _, t := range strings.Split(s, ",") {
			t = strings.TrimSpace(t)
			if t == "" {
				continue
			}
			types++
			if p, ok := hookspec.ParsePhase(t); ok {
				phases = append(phases, p)
			}
		}
		if types == 1 && strings.TrimSpace(s) == manifest.Skip {
			return nil, false
		}
		return phases, true
	}
	if v, ok := ann[hookspec.HelmAnnotationHook]; ok {
		s, _ := v.(string)
		if strings.TrimSpace(s) == manifest.HelmCRDInstall {
			return nil, false
		}
		var phases []hookspec.Phase
		for _, t := range strings.Split(s, ",") {
			if p, ok := manifest.HelmHookPhases[strings.TrimSpace(t)]; ok {
				phases = append(phases, p)
			}
		}
		return phases, true
	}
	return nil, false
}

// nodeAt finds the node at a path of a tree, for its position: the last
// node found on the way when the path goes further than the tree.
func nodeAt(n *yaml.Node, at hookpolicy.Path) *yaml.Node {
	cur := n
	for _, e := range at {
		var next *yaml.Node
		switch e := e.(type) {
		case string:
			if cur != nil && cur.Kind == yaml.MappingNode {
				for i := len(cur.Content) - 2; i >= 0; i -= 2 {
					if v, err := canon.Scalar(cur.Content[i]); err == nil && fmt.Sprint(v) == e {
						next = cur.Content[i+1]
						break
					}
				}
			}
		case int:
			if cur != nil && cur.Kind == yaml.SequenceNode && e < len(cur.Content) {
				next = cur.Content[e]
			}
		}
		if next == nil {
			return cur
		}
		cur = next
	}
	return cur
}

// --- reading the JSON value model ---

// podPath is where an object of a kind keeps its pod template's spec.
func podPath(o map[string]any) hookpolicy.Path {
	switch kind := yamlio.Str(o["kind"]); kind {
	case "Pod":
		return hookpolicy.Path{"spec"}
	case "PodTemplate":
		return hookpolicy.Path{"template", "spec"}
	case "CronJob":
		return hookpolicy.Path{"spec", "jobTemplate", "spec", "template", "spec"}
	}
	if yamlio.Get(o, "spec", "template", "spec") != nil {
		return hookpolicy.Path{"spec", "template", "spec"}
	}
	return nil
}

func getPath(v any, at hookpolicy.Path) any {
	for _, e := range at {
		switch e := e.(type) {
		case string:
			v = yamlio.Get(v, e)
		case int:
			l := yamlio.List(v)
			if e >= len(l) {
				return nil
			}
			v = l[e]
		}
	}
	return v
}

// judgeDecl applies the rules about how a generated Job was declared:
// the template it uses and the hardening it opts out of.
func judgeDecl(p *hookpolicy.HookPolicy, j *jobgen.Job, o map[string]any, fail hookpolicy.Verdict) {
	s := &p.Spec
	switch tmpl := j.Tmpl; {
	case tmpl == nil && !s.AllowRawJobs:
		fail(nil, "allowRawJobs", "raw job hooks are not allowed here; use one of the platform's templates")
	case tmpl != nil:
		switch rule := p.TemplateRule(tmpl); rule {
		case "templates.allowRepository":
			fail(nil, rule, "repository template %q is not allowed here; use one of the platform's templates", tmpl.Metadata.Name)
		case "templates.allow":
			fail(nil, rule, "template %q is not allowed here", tmpl.Metadata.Name)
		}
	}
	pods := s.Pods
	if pods == nil {
		pods = &hookpolicy.PodRules{}
	}
	if j.Knobs == nil || j.Knobs.Hardening == nil || pods.AllowHardeningOptOut {
		return
	}
	spec := yamlio.Obj(yamlio.Get(o, "spec", "template", "spec"))
	hard := jobgen.HardeningOf(j.Knobs, len(jobgen.ServiceAccounts(spec)) > 0)
	for _, w := range []struct {
		field string
		weak  bool
	}{
		{"runAsNonRoot", !hard.RunAsNonRoot},
		{"seccompProfile", !hard.Seccomp},
		{"allowPrivilegeEscalation", !hard.NoEscalation},
		{"dropAllCapabilities", !hard.DropAll},
		{"readOnlyRootFilesystem", !hard.ReadOnlyRoot},
		{"automountServiceAccountToken", hard.Automount && len(jobgen.ServiceAccounts(spec)) == 0},
	} {
		if w.weak {
			fail(nil, "pods.allowHardeningOptOut", "hardening.%s opts out of the hardened pod; the policy does not allow that", w.field)
		}
	}
}

// judgeObject applies the policy's rules to one object Argo CD runs as a
// hook, read as the API server decodes it.
//
// hardened says the object is a Job hookgen generated and hardened with no
// opt-out: its pod must then pass Pod Security restricted, but for what
// the policy allows.
func judgeObject(p *hookpolicy.HookPolicy, o map[string]any, phases []hookspec.Phase, ctx hookspec.Context, hardened bool, fail hookpolicy.Verdict) {
	s := &p.Spec

	// Where it runs.
	ns := yamlio.Str(yamlio.Get(o, "metadata", "namespace"))
	if ns != "" && ns != ctx.App.Namespace && !p.Open() {
		var allowed []string
		if s.Namespaces != nil {
			allowed = s.Namespaces.Allow
			if len(phases) > 0 && !slices.ContainsFunc(phases, func(ph hookspec.Phase) bool { return ph != hookspec.PostDelete }) {
				allowed = append(slices.Clone(allowed), s.Namespaces.PostDelete...)
			}
		}
		if !p.MatchGlobs(allowed, ns) {
			fail(hookpolicy.Path{"metadata", "namespace"}, "namespaces", "namespace %q is not allowed; hooks run in the Application's destination namespace%s", ns, hookpolicy.AllowedHint(allowed))
		}
	}

	// Bounds, for a Job.
	if b := s.Bounds; b != nil && yamlio.Str(o["kind"]) == "Job" {
		js := yamlio.Obj(o["spec"])
		bound := func(key string, max *int64, def int64) {
			if max == nil {
				return
			}
			v, set := js[key]
			f, ok := yamlio.Number(v)
			switch {
			case !set && def < 0:
				fail(nil, "bounds.max"+strings.ToUpper(key[:1])+key[1:], "%s is not set; the limit is %d", key, *max)
			case !set:
				if def > *max {
					fail(nil, "bounds.max"+strings.ToUpper(key[:1])+key[1:], "%s is not set, so Kubernetes uses %d; the limit is %d", key, def, *max)
				}
			case !ok:
				fail(hookpolicy.Path{"spec", key}, "bounds.max"+strings.ToUpper(key[:1])+key[1:], "%s is not a number", key)
			case f > float64(*max):
				fail(hookpolicy.Path{"spec", key}, "bounds.max"+strings.ToUpper(key[:1])+key[1:], "%s %s is above the limit of %d", key, v, *max)
			}
		}
		bound("activeDeadlineSeconds", b.MaxActiveDeadlineSeconds, -1)
		if b.MaxBackoffLimit != nil {
			max := int64(*b.MaxBackoffLimit)
			bound("backoffLimit", &max, 6)
		}
		if b.RequireTTLSecondsAfterFinished {
			if _, ok := yamlio.Number(js["ttlSecondsAfterFinished"]); !ok {
				fail(nil, "bounds.requireTTLSecondsAfterFinished", "set ttlSecondsAfterFinished")
			}
		}
	}

	at := podPath(o)
	if at == nil {
		return
	}
	spec := yamlio.Obj(getPath(o, at))
	meta := yamlio.Obj(getPath(o, at[:len(at)-1].With("metadata")))
	if spec == nil {
		return
	}
	for _, sa := range jobgen.ServiceAccounts(spec) {
		if len(s.ServiceAccounts) > 0 && !p.MatchGlobs(s.ServiceAccounts, sa.Name) {
			fail(at.With(sa.At...), "serviceAccounts", "service account %q is not allowed%s", sa.Name, hookpolicy.AllowedHint(s.ServiceAccounts))
		}
	}
	judgePod(p, spec, at, fail)
	pods := s.Pods
	if pods == nil {
		pods = &hookpolicy.PodRules{}
	}
	// One set of pod-security rules: Pod Security restricted
	// (internal/podsec), each check allowed by one pod rule. A pod hookgen
	// hardened must pass all of it; the app's own hooks are judged by
	// what they set (privileged, host namespaces, a capability, root, an
	// unconfined profile, a volume type), not by hardening they leave out.
	for _, f := range podSecurity(meta, spec) {
		if f.Unset && !hardened {
			continue
		}
		rule := podSecurityRule[f.Check]
		switch {
		case rule == "":
			fail(fieldPath(at, f.Field), "pods", "%s: Kubernetes cannot decode it: %s", f.Field, f.Message)
		case f.Check == podsec.CheckRestrictedVolumes && strings.HasSuffix(f.Field, "]"):
			// A volume with no source at all, which Kubernetes refuses.
			fail(fieldPath(at, f.Field), "pods", "%s", f.Message)
		case pods.Allows(rule):
		default:
			fail(fieldPath(at, f.Field), rule, "Pod Security restricted (%s): %s", f.Check, f.Message)
		}
	}
}

// judgePod applies the pod rules of hookgen's own, beside Pod Security's:
// shareProcessNamespace, the pod fields (policyfields.go), and the images
// and resources of every container.
func judgePod(p *hookpolicy.HookPolicy, spec map[string]any, at hookpolicy.Path, fail hookpolicy.Verdict) {
	pods := p.Spec.Pods
	if pods == nil {
		pods = &hookpolicy.PodRules{}
	}
	if yamlio.IsTrue(spec["shareProcessNamespace"]) && !pods.AllowHostNamespaces {
		fail(at.With("shareProcessNamespace"), "pods.allowHostNamespaces", "shareProcessNamespace is not allowed")
	}
	for _, key := range []string{"initContainers", "containers", "ephemeralContainers"} {
		for i, c := range yamlio.List(spec[key]) {
			judgeContainer(p, yamlio.Obj(c), at.With(key, i), fail)
		}
	}
	judgePodFields(p, spec, at, pods, fail)
}

// judgeContainer applies the image and resource rules to a container.
func judgeContainer(p *hookpolicy.HookPolicy, c map[string]any, at hookpolicy.Path, fail hookpolicy.Verdict) {
	s := &p.Spec
	name := yamlio.Str(c["name"])
	if img, ok := c["image"]; ok {
		if ref, isStr := img.(string); isStr {
			p.CheckImage(at.With("image"), ref, name, s.Images, fail)
		} else {
			fail(at.With("image"), "images.allow", "container %q: image is not a string", name)
		}
	}
	if b := s.Bounds; b != nil {
		res := yamlio.Obj(c["resources"])
		for _, r := range b.RequireResources {
			kind, rname, _ := strings.Cut(r, ".")
			if yamlio.Get(res, kind, rname) == nil {
				fail(nil, "bounds.requireResources", "container %q must set resources.%s", name, r)
			}
		}
		for _, kind := range []string{"requests", "limits"} {
			m := yamlio.Obj(res[kind])
			for _, rname := range subst.SortedKeys(m) {
				limit, ok := b.MaxResources[rname]
				if !ok {
					continue
				}
				text := fmt.Sprint(m[rname])
				if _, isStr := m[rname].(string); !isStr {
					if _, isNum := m[rname].(json.Number); !isNum {
						text = ""
					}
				}
				got, ok1 := hookpolicy.ParseQuantity(text)
				max, ok2 := hookpolicy.ParseQuantity(string(limit))
				if !ok1 || (ok2 && got > max) {
					fail(at.With("resources", kind, rname), "bounds.maxResources", "container %q: %s.%s %s is above the limit of %s", name, kind, rname, text, limit)
				}
			}
		}
	}
}
