package transform

import (
	"strings"

	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// Catalog returns the templates the application in in.AppDir can name in
// `uses`, and the policy in force: the built-in templates, the platform's
// (in.Config) and the repository's (.hookgen/templates at in.Repo's root,
// when in.Repo is set). It needs no hookgen.yaml. Broken templates are
// problems.
func Catalog(in Input) (Templates, *HookPolicy, error) {
	lim := in.Limits
	if lim == (yamlio.Limits{}) {
		lim = yamlio.DefaultLimits()
	}
	ps := &problem.Collector{}
	o := problem.NewOrigins()
	cfg := loadConfig(in.Config, lim, ps, o)
	ts := cfg.Templates.clone()
	if in.Repo != nil {
		addRepoTemplates(ts, &yamlio.Reader{FS: in.Repo, Limits: cfg.Policy.limits(lim), Problems: ps}, ps, o)
	}
	if err := ps.Err(); err != nil {
		return nil, nil, err
	}
	return ts, cfg.Policy, nil
}

// DefaultText writes a parameter's default the way it reads in a
// hookgen.yaml: a scalar as itself, anything else as flow YAML; "" when
// the parameter has no default.
func (p Param) DefaultText() string {
	if p.Default == nil {
		return ""
	}
	return paramText(p.Default)
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
