package hookspec

import (
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// Origin says where the named template comes from.
func (t *HookTemplate) Origin() string { return t.OriginKind }

// File is the file the template was read from.
func (t *HookTemplate) File() string { return t.Src.Pos.File }

// Allows reports whether the template may run in phase p.
func (t *HookTemplate) Allows(p Phase) bool {
	return len(t.Spec.Phases) == 0 || slices.Contains(t.Spec.Phases, string(p))
}

// Mark records the origin of the template's nodes in o, once: Job
// generation marks a template when a hook uses it.
func (t *HookTemplate) Mark(o *problem.Origins) {
	if _, done := o.File[t.Spec.Job]; done && t.Spec.Job != nil {
		return
	}
	o.Mark(t.File(), t.Spec.Job)
	for _, p := range t.Spec.Params {
		o.Mark(t.File(), p.Default)
	}
}

// DefaultText writes a parameter's default the way it reads in a
// hookgen.yaml: a scalar as itself, anything else as flow YAML; "" when
// the parameter has no default.
func (p Param) DefaultText() string {
	if p.Default == nil {
		return ""
	}
	return ParamText(p.Default)
}

// JobYAML returns the template's JobSpec as YAML, placeholders and all.
func (t *HookTemplate) JobYAML() string {
	if t.Spec.Job == nil {
		return ""
	}
	c := yamlio.CopyNode(t.Spec.Job)
	yamlio.Canonical(c)
	var b strings.Builder
	if err := yamlio.EncodeNode(&b, c); err != nil {
		return ""
	}
	return b.String()
}

// Summary is the first sentence of the template's description, on one line.
func (t *HookTemplate) Summary() string {
	d := strings.Join(strings.Fields(t.Spec.Description), " ")
	if i := strings.Index(d, ". "); i >= 0 {
		d = d[:i+1]
	}
	return d
}
