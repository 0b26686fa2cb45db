package judge

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/hookpolicy"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/jobgen"
	"github.com/hookgen/hookgen/internal/podsec"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
)

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

// JudgeObject applies the policy's rules to one object Argo CD runs as a
// hook, read as the API server decodes it.
//
// hardened says the object is a Job hookgen generated and hardened with no
// opt-out: its pod must then pass Pod Security restricted, but for what
// the policy allows.
func JudgeObject(p *hookpolicy.HookPolicy, o map[string]any, phases []hookspec.Phase, ctx hookspec.Context, hardened bool, fail hookpolicy.Verdict) {
	s := &p.Spec
	judgeNamespace(p, o, phases, ctx, fail)
	judgeBounds(p, o, fail)

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
	judgePodSecurity(p, meta, spec, at, hardened, fail)
}

// judgeNamespace applies the namespace rule: where the object runs.
func judgeNamespace(p *hookpolicy.HookPolicy, o map[string]any, phases []hookspec.Phase, ctx hookspec.Context, fail hookpolicy.Verdict) {
	s := &p.Spec
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
}

// judgeBounds applies the bounds rules to a Job's spec.
func judgeBounds(p *hookpolicy.HookPolicy, o map[string]any, fail hookpolicy.Verdict) {
	b := p.Spec.Bounds
	if b == nil || yamlio.Str(o["kind"]) != "Job" {
		return
	}
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

// judgePodSecurity applies one set of pod-security rules: Pod Security
// restricted (internal/podsec), each check allowed by one pod rule. A pod
// hookgen hardened must pass all of it; the app's own hooks are judged by
// what they set (privileged, host namespaces, a capability, root, an
// unconfined profile, a volume type), not by hardening they leave out.
func judgePodSecurity(p *hookpolicy.HookPolicy, meta, spec map[string]any, at hookpolicy.Path, hardened bool, fail hookpolicy.Verdict) {
	pods := p.Spec.Pods
	if pods == nil {
		pods = &hookpolicy.PodRules{}
	}
	for _, f := range podSecurity(meta, spec) {
		if f.Unset && !hardened {
			continue
		}
		rule := podSecurityRule[f.Check]
		switch {
		case rule == "":
			fail(FieldPath(at, f.Field), "pods", "%s: Kubernetes cannot decode it: %s", f.Field, f.Message)
		case f.Check == podsec.CheckRestrictedVolumes && strings.HasSuffix(f.Field, "]"):
			// A volume with no source at all, which Kubernetes refuses.
			fail(FieldPath(at, f.Field), "pods", "%s", f.Message)
		case pods.Allows(rule):
		default:
			fail(FieldPath(at, f.Field), rule, "Pod Security restricted (%s): %s", f.Check, f.Message)
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
