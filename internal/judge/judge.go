package judge

import (
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
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

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

// FieldPath reads a finding's field (spec.a[0].b, metadata.annotations[k])
// as a path under the pod template at (the pod spec's path).
func FieldPath(at hookpolicy.Path, field string) hookpolicy.Path {
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

// Judge applies the policy to every hook of the output.
func Judge(jobs []*jobgen.Job, manifests []*manifest.Manifest, p *hookpolicy.HookPolicy, ctx hookspec.Context, o *problem.Origins, ps *problem.Collector) {
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
	JudgeObject(p, obj, []hookspec.Phase{j.Phase}, ctx, hardened, fail)
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
		phases, hook := ManifestHook(obj)
		if !hook {
			return
		}
		name := ObjName(obj)
		fail := func(path hookpolicy.Path, rule, format string, args ...any) {
			full := append(slices.Clip(at), path...)
			ps.Add(manifestPos(m, nodeAt(n, full)), "", "%s: policy %s: %s", name, rule, fmt.Sprintf(format, args...))
		}
		JudgeObject(p, obj, phases, ctx, false, fail)
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

// ObjName names an object for a message: Kind/name.
func ObjName(obj map[string]any) string {
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		name, _ = meta["generateName"].(string)
		name += "*"
	}
	return kind + "/" + name
}

// ManifestHook reports whether Argo CD runs the object as a hook, and in
// which phases (gitops-engine hook.IsHook, helm.IsHook).
func ManifestHook(obj map[string]any) ([]hookspec.Phase, bool) {
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
