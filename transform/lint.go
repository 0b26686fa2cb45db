package transform

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/jobgen"
	"github.com/hookgen/hookgen/internal/judge"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// LintSummary says what LintConfig checked.
type LintSummary struct {
	// Policy is the policy file, "" when the directory has none.
	Policy string
	// Templates are the platform templates, by name.
	Templates []string
	// Injected are the hooks the policy injects into every application.
	Injected []string
	// Skipped names the files of the directory that are not hookgen's.
	Skipped Problems
}

// standInFile marks the values LintConfig makes up for a template's
// required parameters: a problem there is the stand-in's, not the
// template's.
const standInFile = "(stand-in)"

// lintSkipped are the rules a hook satisfies itself: the policy makes
// every hook set resources and a TTL, which a template need not.
var lintSkipped = []string{"bounds.requireResources", "bounds.requireTTLSecondsAfterFinished"}

// LintConfig checks a platform config directory the way the platform's own
// CI would before publishing it: the policy and every template parse; each
// platform template, given stand-ins for its required parameters, makes a
// Job that passes the policy's rules (except those a hook satisfies itself:
// required resources and TTL); every injected hook makes Jobs that pass
// them all; templates.allow names templates that exist, and every platform
// template is allowed. ctx stands in for an Application. It returns every
// problem at once, or nil.
func LintConfig(fsys fs.FS, ctx Context) (LintSummary, error) {
	var sum LintSummary
	ps := &problem.Collector{}
	o := problem.NewOrigins()
	lim := yamlio.DefaultLimits()
	cfg := loadConfig(fsys, lim, ps, o, true)
	sum.Skipped = cfg.Skipped
	if !cfg.Policy.Open() {
		sum.Policy = cfg.Policy.File()
	}
	if img := cfg.Policy.Spec.RunnerImage; img != "" {
		ctx.RunnerImage = img
	}
	p := cfg.Policy

	// templates.allow names templates that exist.
	if r := p.Spec.Templates; r != nil {
		for _, name := range r.Allow {
			if !strings.ContainsAny(name, "*?[") && cfg.Templates[name] == nil {
				ps.Add(p.Src.At("spec.templates.allow"), "", "policy templates.allow: no template is named %q%s", name, hookspec.Suggest(name, cfg.Templates.Names()))
			}
		}
	}

	for _, name := range cfg.Templates.Names() {
		t := cfg.Templates[name]
		if t.OriginKind != OriginPlatform {
			continue
		}
		sum.Templates = append(sum.Templates, name)
		if t.Broken {
			continue // its problems are reported
		}
		if !p.AllowsTemplate(t) {
			ps.Add(t.Src.Pos, "", "template %q: the policy's templates.allow leaves it out, so no hook can use it: add it there, or remove the file", name)
			continue
		}
		lintTemplate(t, cfg, ctx, o, ps)
	}

	// Injected hooks are whole hooks: they must pass every rule.
	_, merged, _ := hookset.MergeSets([]*HookSet{cfg.injected()})
	g := &jobgen.Generator{Ctx: ctx, Templates: cfg.Templates, Origins: o, Ps: ps, Policy: p, FromParams: map[*yaml.Node]bool{}}
	for _, h := range merged {
		sum.Injected = append(sum.Injected, h.Name)
		judge.Judge(g.Generate(h), nil, p, ctx, o, ps)
	}
	return sum, ps.Err()
}

// lintTemplate generates the Job of a hook that uses t with stand-ins for
// its required parameters, in each of its default phases, and reports the
// template's own violations.
func lintTemplate(t *HookTemplate, cfg *Config, ctx Context, o *problem.Origins, ps *problem.Collector) {
	var phases StringList
	switch {
	case t.Spec.Defaults != nil && len(t.Spec.Defaults.Phase) > 0:
		phases = t.Spec.Defaults.Phase
	case len(t.Spec.Phases) > 0:
		phases = StringList{t.Spec.Phases[0]}
	default:
		phases = StringList{string(PreSync)}
	}
	with := yamlio.NewMap()
	for _, p := range t.Spec.Params {
		if !p.Required {
			continue
		}
		v := subst.StandIn(p.Type)
		switch p.Type {
		case ParamMap:
			v = yamlio.NewMap()
		case ParamKeyRef:
			v = yamlio.NewMap("configMap", yamlio.NewStr("app"), "key", yamlio.NewStr("app"))
		case ParamString:
			v = yamlio.NewStr("app") // reads as a name, a path or a word
		}
		markStandIn(v, o)
		with.Content = append(with.Content, yamlio.NewStr(p.Name), v)
	}
	// A problem about a hook's setting points at the template's default for it.
	fields := map[string]Pos{}
	if d := t.Spec.Defaults; d != nil {
		for _, f := range []string{"phase", "wave", "deletePolicy", "generateName", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"} {
			if d.Src.Has(f) {
				fields[f] = d.Src.At(f)
			}
		}
	}
	decl := &Hook{Name: lintHookName(t.Metadata.Name), Uses: t.Metadata.Name, Phase: phases, With: with, Src: hookspec.Source{Pos: t.Src.Pos, Fields: fields}}
	h := &hookset.MergedHook{Hook: *decl, Decls: []*Hook{decl}, Files: []string{t.File()}}
	sub := &problem.Collector{}
	g := &jobgen.Generator{Ctx: ctx, Templates: cfg.Templates, Origins: o, Ps: sub, Policy: cfg.Policy, FromParams: map[*yaml.Node]bool{}}
	judge.Judge(g.Generate(h), nil, cfg.Policy, ctx, o, sub)
	for _, pr := range sub.List {
		if pr.Pos.File == standInFile || skippedRule(pr.Msg) || standInField(pr.Msg) {
			continue
		}
		pr.Hook = ""
		pr.Msg = fmt.Sprintf("template %q (a %s hook with stand-in parameters): %s", t.Metadata.Name, strings.Join(phases, ", "), pr.Msg)
		ps.AddErr(pr)
	}
}

// standInField reports a field missing from a map parameter's stand-in.
func standInField(msg string) bool {
	return strings.HasPrefix(msg, "$(params.") && strings.Contains(msg, "has no field")
}

func skippedRule(msg string) bool {
	for _, rule := range lintSkipped {
		if strings.HasPrefix(msg, "policy "+rule+":") {
			return true
		}
	}
	return false
}

// markStandIn gives a stand-in value a position in standInFile.
func markStandIn(n *yaml.Node, o *problem.Origins) {
	if n == nil {
		return
	}
	n.Line, n.Column = 1, 1
	o.File[n] = standInFile
	for _, c := range n.Content {
		markStandIn(c, o)
	}
}

// lintHookName is a hook name for a template's name that leaves room for
// the phase in the Job's name.
func lintHookName(name string) string {
	if len(name) > 40 {
		name = strings.TrimRight(name[:40], "-")
	}
	return name
}
