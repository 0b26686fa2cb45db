package hookpolicy

import (
	"slices"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
)

// Path is a path into a JSON value: keys and indexes.
type Path []any

// Verdict reports a broken rule at a path of the object judged.
type Verdict func(at Path, rule, format string, args ...any)

// Allows reports whether the pod rules allow what a rule forbids.
func (r *PodRules) Allows(rule string) bool {
	switch rule {
	case "pods.allowHostNamespaces":
		return r.AllowHostNamespaces
	case "pods.allowHostPorts":
		return r.AllowHostPorts
	case "pods.allowPrivileged":
		return r.AllowPrivileged
	case "pods.allowCapabilities":
		return r.AllowCapabilities
	case "pods.allowHostPath":
		return r.AllowHostPath
	case "pods.allowRoot":
		return r.AllowRoot
	case "pods.allowHardeningOptOut":
		return r.AllowHardeningOptOut
	}
	return false
}

// With returns the path with elems added.
func (p Path) With(elems ...any) Path {
	return append(slices.Clip(p), elems...)
}

// Injects reports whether the hook is one the policy injects (and no
// application replaced).
func (p *HookPolicy) Injects(h *hookset.MergedHook) bool {
	return p != nil && !p.Open() && len(h.Files) > 0 && h.Files[0] == p.File()
}

// TemplateRuleOf names the policy rule that forbids a template, "" when
// none does or there is no policy.
func (p *HookPolicy) TemplateRuleOf(t *hookspec.HookTemplate) string {
	if p == nil {
		return ""
	}
	return p.TemplateRule(t)
}
