package transform

import (
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
	if lim == (Limits{}) {
		lim = yamlio.DefaultLimits()
	}
	ps := &problem.Collector{}
	o := problem.NewOrigins()
	cfg := loadConfig(in.Config, lim, ps, o, true)
	ts := cfg.Templates.Clone()
	if in.Repo != nil {
		addRepoTemplates(ts, &yamlio.Reader{FS: in.Repo, Limits: cfg.Policy.Limits(lim), Problems: ps}, ps)
	}
	if err := ps.Err(); err != nil {
		return nil, nil, err
	}
	return ts, cfg.Policy, nil
}
