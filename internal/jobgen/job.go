package jobgen

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/canon"
	"github.com/hookgen/hookgen/internal/hookpolicy"
	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Built-in Job defaults, used when neither the hook, its HookSet's defaults,
// the template's defaults nor the template's job set a value. A hook always
// ends: a stuck notification must not block a sync.
const (
	DefaultActiveDeadlineSeconds = 600
	DefaultBackoffLimit          = 1
	// DefaultGenerateNameTTL removes the Jobs of generateName hooks a day
	// after they finish; nothing else would.
	DefaultGenerateNameTTL = 86400
	// MinHookTTL is the shortest ttlSecondsAfterFinished hookgen writes
	// for Argo CD before 3.0, which does not hold a hook Job with a
	// finalizer until it has seen it finish.
	MinHookTTL    = 60
	maxNameLength = 63
	// generateNameSuffix is what Argo CD appends to a generateName:
	// <7-char revision>-<phase>-<unix seconds>, with the phase lowercased.
	generateNameSuffixFixed = 7 + 1 + 1 + 10
	tmpVolume               = "hookgen-tmp"
)

// Job is one generated hook Job.
type Job struct {
	Hook      string // the hook's name
	Phase     hookspec.Phase
	Wave      int32 // 0 when the hook sets none
	Name      string
	Generate  bool   // Name is a generateName prefix
	Namespace string // "" is the Application's destination namespace
	Template  string // "" for a raw job
	// DeletePolicy is what the hook-delete-policy annotation says.
	DeletePolicy []hookspec.DeletePolicy
	Node         *yaml.Node
	Pos          problem.Pos // the hook's declaration

	// The bounds Kubernetes enforces, as written in Node.
	ActiveDeadlineSeconds   int64
	BackoffLimit            int32
	TTLSecondsAfterFinished *int32 // nil: no TTL

	// DefaultUser is set when the pod runs as hookgen's default user and
	// group (DefaultRunAsUser), not one the hook or its template chose.
	DefaultUser bool

	// What the judge needs to know of how the Job was made.
	Decl     *hookset.MergedHook    // the declaration
	Tmpl     *hookspec.HookTemplate // nil for a raw job
	Knobs    *hookspec.Knobs        // the hook's settings after defaults
	Injected map[string]any         // a hook the platform injects: its value as generated
	MovedBy  string                 // what moved the Job into its namespace, if not the hook
	Quiet    map[problem.Pos]bool   // where problems follow from one found while building it
}

// defaultDeletePolicy is the delete policy of a hook that sets none:
// BeforeHookCreation, Argo CD's own default, so the last run stays to be
// looked at until the next sync. Deletion hooks also get HookSucceeded:
// Argo CD deletes them at cleanup only when a policy matches, and nothing
// would remove them after the Application is gone. generateName hooks get
// HookSucceeded alone: their fresh names never collide.
func defaultDeletePolicy(p hookspec.Phase, generateName bool) []string {
	switch {
	case generateName:
		return []string{string(hookspec.HookSucceeded)}
	case p.IsDelete():
		return []string{string(hookspec.BeforeHookCreation), string(hookspec.HookSucceeded)}
	}
	return []string{string(hookspec.BeforeHookCreation)}
}

// RuleField is the hook field a policy rule is about, for positions.
var RuleField = map[string]string{
	"allowRawJobs":                          "job",
	"templates.allow":                       "uses",
	"templates.allowRepository":             "uses",
	"namespaces":                            "namespace",
	"pods.allowHardeningOptOut":             "hardening",
	"bounds.requireTTLSecondsAfterFinished": "ttlSecondsAfterFinished",
	"bounds.maxActiveDeadlineSeconds":       "activeDeadlineSeconds",
	"bounds.maxBackoffLimit":                "backoffLimit",
	"bounds.requireResources":               "resources",
	"bounds.maxResources":                   "resources",
	"serviceAccounts":                       "serviceAccountName",
	"pods.priorityClasses":                  "priorityClassName",
	"pods.allowRoot":                        "hardening",
	"bounds.maxWritablePaths":               "writablePaths",
}

// settings are a hook's resolved values that hold for all its phases.
type settings struct {
	phases       []hookspec.Phase
	wave         *int32
	generateName bool
	deletePolicy []string
	deadline     int64
	backoff      int32
	ttl          *int32
}

// Generator turns merged hooks into Jobs.
type Generator struct {
	Ctx       hookspec.Context
	Templates hookset.Templates
	Defaults  hookspec.Knobs
	Origins   *problem.Origins
	Ps        *problem.Collector
	Policy    *hookpolicy.HookPolicy
	// FromParams marks `with` values that came from Application
	// parameters: text to read by the parameter's type.
	FromParams map[*yaml.Node]bool
}

// Generate returns the Jobs of one hook, one per phase.
func (g *Generator) Generate(h *hookset.MergedHook) []*Job {
	var k hookspec.Knobs
	if !g.Policy.Injects(h) {
		// The repository's defaults do not reach the platform's own hooks.
		hookset.Overlay(reflect.ValueOf(&k).Elem(), reflect.ValueOf(g.Defaults))
	}
	hookset.Overlay(reflect.ValueOf(&k).Elem(), reflect.ValueOf(h.Knobs))

	var tmpl *hookspec.HookTemplate
	switch {
	case h.Job != nil:
		if h.Job.Kind != yaml.MappingNode {
			return nil // reported when loaded
		}
		hookset.CheckJobShape(h.Job, func(n *yaml.Node, msg string) {
			g.Ps.Add(g.Origins.Pos(n, h.At("job")), h.Name, "job: %s", msg)
		})
	case h.Uses == "":
		if !h.Wrote("uses") && !h.Wrote("job") {
			g.Ps.Add(h.Pos(), h.Name, "set uses (a template: %s) or job (a raw JobSpec)", strings.Join(g.Templates.Names(), ", "))
		} // else reported when loaded
		return nil
	default:
		tmpl = g.Templates[h.Uses]
		if tmpl == nil {
			g.Ps.Add(h.At("uses"), h.Name, "unknown template %q%s", h.Uses, hookspec.Suggest(h.Uses, g.Templates.Names()))
			return nil
		}
		if tmpl.Broken {
			return nil // its problems are reported where it is defined
		}
		tmpl.Mark(g.Origins) // a problem in its text names its file
	}
	// A problem of the settings or an unknown parameter leaves the Job
	// buildable: it is built, so that its other problems (a literal
	// secret, a policy rule) show in the same run. A parameter the
	// template needs and lacks, or one with a bad value, would change
	// what it expands to: then the Job is not built.
	st := g.settings(h, &k, tmpl)
	var with map[string]*yaml.Node
	if tmpl != nil {
		var complete bool
		if with, complete = g.checkWith(h, tmpl); !complete {
			return nil
		}
	}
	var jobs []*Job
	for _, phase := range st.phases {
		if j := g.phaseJob(h, &k, tmpl, with, st, phase); j != nil {
			if g.Policy.Injects(h) {
				v, _ := canon.Value(j.Node)
				j.Injected, _ = v.(map[string]any)
			}
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// policy is the delete policy of the hook's Job in phase p.
func (st settings) policy(p hookspec.Phase) []string {
	if len(st.deletePolicy) > 0 {
		return st.deletePolicy
	}
	return defaultDeletePolicy(p, st.generateName)
}

// settings resolves the values that do not depend on the phase.
func (g *Generator) settings(h *hookset.MergedHook, k *hookspec.Knobs, tmpl *hookspec.HookTemplate) settings {
	td := defaultsOf(tmpl)
	var st settings
	phases := h.Phase
	if len(phases) == 0 {
		phases = td.Phase
	}
	if len(phases) == 0 {
		g.Ps.Add(h.Pos(), h.Name, "no phase: set phase to one of %s", hookset.PhaseList())
	}
	for _, name := range phases {
		p, ok := hookspec.ParsePhase(name)
		if !ok {
			continue // reported when loaded
		}
		if tmpl != nil && !tmpl.Allows(p) {
			g.Ps.Add(h.At("phase"), h.Name, "template %q runs in %s, not %s", tmpl.Metadata.Name, strings.Join(tmpl.Spec.Phases, ", "), p)
			continue
		}
		st.phases = append(st.phases, p)
	}
	st.wave = cmp.Or(h.Wave, td.Wave)
	st.generateName = derefOr(cmp.Or(k.GenerateName, td.GenerateName), false)
	if st.generateName {
		for _, p := range st.phases {
			if p.IsDelete() {
				g.Ps.Add(h.At("generateName"), h.Name, "generateName cannot be used for %s: Argo CD finds deletion hooks by name and would create a new Job on every reconcile", p)
			}
		}
	}
	st.deletePolicy = k.DeletePolicy
	if len(st.deletePolicy) == 0 {
		st.deletePolicy = td.DeletePolicy
	}
	st.deletePolicy = dedupe(st.deletePolicy) // empty: the phase's default, see defaultDeletePolicy
	return st
}

// defaultsOf returns a template's defaults (none for a raw job).
func defaultsOf(tmpl *hookspec.HookTemplate) hookspec.TemplateDefaults {
	if tmpl == nil || tmpl.Spec.Defaults == nil {
		return hookspec.TemplateDefaults{}
	}
	return *tmpl.Spec.Defaults
}

// Limits sets the Job's deadline, backoff limit and TTL: the hook's, else
// the template's defaults, else what the job itself says once substituted
// (spec), else hookgen's defaults. A value the job gives that is not an
// integer is a problem, never dropped.
func (g *Generator) Limits(h *hookset.MergedHook, k *hookspec.Knobs, tmpl *hookspec.HookTemplate, spec *yaml.Node, st *settings) {
	td := defaultsOf(tmpl)
	bad := func(key string) {
		g.Ps.Add(g.Origins.Pos(yamlio.MapGet(spec, key), h.At("job")), h.Name, "job %s must be a non-negative integer", key)
	}
	st.deadline = derefOr(cmp.Or(k.ActiveDeadlineSeconds, td.ActiveDeadlineSeconds, jobInt[int64](spec, "activeDeadlineSeconds", bad)), DefaultActiveDeadlineSeconds)
	st.backoff = derefOr(cmp.Or(k.BackoffLimit, td.BackoffLimit, jobInt[int32](spec, "backoffLimit", bad)), DefaultBackoffLimit)
	st.ttl = cmp.Or(k.TTLSecondsAfterFinished, td.TTLSecondsAfterFinished, jobInt[int32](spec, "ttlSecondsAfterFinished", bad))
	if st.ttl == nil && st.generateName {
		ttl := int32(DefaultGenerateNameTTL)
		st.ttl = &ttl
	}
	if st.ttl != nil && *st.ttl < MinHookTTL && !g.Ctx.ArgoCD.AtLeast(3, 0) {
		pos := h.At("ttlSecondsAfterFinished")
		if k.TTLSecondsAfterFinished == nil && td.TTLSecondsAfterFinished == nil {
			pos = g.Origins.Pos(yamlio.MapGet(spec, "ttlSecondsAfterFinished"), h.At("job"))
		}
		g.Ps.Add(pos, h.Name, "ttlSecondsAfterFinished %d: Argo CD before 3.0 waits forever for a hook Job deleted before it saw the Job finish (argo-cd#18884); set at least %d, or, if the sidecar serves Argo CD 3.0 or newer, say so with HOOKGEN_ARGOCD_VERSION (now %s)", *st.ttl, MinHookTTL, g.Ctx.ArgoCD)
	}
}

// checkWith checks a hook's parameters against its template and returns
// them by name; complete says that every parameter given has a good value
// and every one the template needs is given.
func (g *Generator) checkWith(h *hookset.MergedHook, tmpl *hookspec.HookTemplate) (with map[string]*yaml.Node, complete bool) {
	with, complete = map[string]*yaml.Node{}, true
	given := map[string]bool{}
	declared := map[string]*hookspec.Param{}
	names := make([]string, len(tmpl.Spec.Params))
	for i := range tmpl.Spec.Params {
		p := &tmpl.Spec.Params[i]
		declared[p.Name] = p
		names[i] = p.Name
	}
	if h.With != nil && h.With.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(h.With.Content); i += 2 {
			key, val := h.With.Content[i], h.With.Content[i+1]
			pos := g.Origins.Pos(key, h.At("with"))
			p := declared[key.Value]
			if p == nil {
				if len(names) == 0 {
					g.Ps.Add(pos, h.Name, "template %q takes no parameters; remove %q", tmpl.Metadata.Name, key.Value)
				} else if hint := hookspec.KubeFieldHint(key.Value, hookspec.IsHookField); hint != "" && !slices.Contains(hookset.OwnHookFields, key.Value) {
					g.Ps.Add(pos, h.Name, "template %q has no parameter %q: %s", tmpl.Metadata.Name, key.Value, hint)
				} else {
					g.Ps.Add(pos, h.Name, "template %q has no parameter %q%s", tmpl.Metadata.Name, key.Value, hookspec.Suggest(key.Value, names))
				}
				continue
			}
			if yamlio.IsNull(val) {
				continue // an explicit null unsets an inherited value
			}
			given[p.Name] = true
			if g.FromParams[val] {
				parsed, msg := parseParamText(p.Type, val.Value)
				if msg != "" {
					g.Ps.Add(problem.Pos{File: hookspec.ParametersFile}, h.Name, "%s%s: %q %s", hookspec.ParamHookPrefix, h.Name, p.Name, msg)
					complete = false
					continue
				}
				val = parsed
			}
			if msg := hookset.CheckParamValue(p.Type, val); msg != "" {
				g.Ps.Add(g.Origins.Pos(val, pos), h.Name, "parameter %q %s", p.Name, msg)
				complete = false
				continue
			}
			with[p.Name] = val
		}
	}
	for _, p := range tmpl.Spec.Params {
		if p.Required && !given[p.Name] {
			g.Ps.Add(h.KeyAt("with"), h.Name, "template %q needs parameter %q (%s): add it under with", tmpl.Metadata.Name, p.Name, p.Type)
			complete = false
		}
	}
	return with, complete
}

// scope returns the placeholder values for one phase of a hook.
func (g *Generator) scope(h *hookset.MergedHook, phase hookspec.Phase) *subst.Scope {
	return &subst.Scope{
		App:    g.Ctx.App,
		Hook:   map[string]string{"name": h.Name, "phase": string(phase), "outcome": phase.Outcome()},
		Env:    g.Ctx.Env,
		Runner: g.Ctx.RunnerImage,
	}
}

// substitute runs one substitution pass over a copy of n and reports its
// problems at the nodes' origins.
func (g *Generator) substitute(h *hookset.MergedHook, sc *subst.Scope, n *yaml.Node, fallback problem.Pos) *yaml.Node {
	s := &subst.Subster{Scope: sc, Origins: g.Origins, Dollars: subst.DollarsMarked}
	out := s.Tree(g.Origins.Copy(n))
	for _, e := range s.Errs {
		g.Ps.Add(g.Origins.Pos(e.Node, fallback), h.Name, "%s", e.Msg)
	}
	return out
}

// Text substitutes placeholders in a string setting of a hook; ok says
// every placeholder resolved (else the value is not checked further: its
// problems would follow from the placeholder's).
func (g *Generator) Text(h *hookset.MergedHook, sc *subst.Scope, field, in string) (out string, ok bool) {
	s := &subst.Subster{Scope: sc}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: yamlio.TagStr, Value: in}
	out = s.String(n, in)
	for _, e := range s.Errs {
		g.Ps.Add(h.At(field), h.Name, "%s: %s", field, e.Msg)
	}
	return out, len(s.Errs) == 0
}

// phaseJob builds the Job of one phase.
func (g *Generator) phaseJob(h *hookset.MergedHook, k *hookspec.Knobs, tmpl *hookspec.HookTemplate, with map[string]*yaml.Node, st settings, phase hookspec.Phase) *Job {
	before := len(g.Ps.List)
	sc := g.scope(h, phase)
	var spec *yaml.Node
	templateName := ""
	if tmpl != nil {
		templateName = tmpl.Metadata.Name
		spec = g.expandTemplate(h, tmpl, with, sc)
	} else {
		spec = g.substitute(h, sc, h.Job, h.At("job"))
	}
	if spec == nil {
		return nil
	}
	subst.Untaint(spec)
	// A placeholder that did not resolve leaves the Job buildable: it is
	// built and judged, so that its other problems show in the same run.
	// A later problem at the place of a problem found so far follows from
	// it (the image a failed placeholder left empty) and is dropped.
	var quiet map[problem.Pos]bool
	for _, p := range g.Ps.List[before:] {
		if quiet == nil {
			quiet = map[problem.Pos]bool{}
		}
		quiet[p.Pos] = true
	}
	mark := len(g.Ps.List)
	defer func() {
		if quiet == nil {
			return
		}
		kept := g.Ps.List[:mark]
		for _, p := range g.Ps.List[mark:] {
			if !quiet[p.Pos] {
				kept = append(kept, p)
			}
		}
		g.Ps.List = kept
	}()
	// From here on the job is in canonical form: what is read is what is
	// written, and what Kubernetes reads.
	yamlio.Canonical(spec)
	g.Limits(h, k, tmpl, spec, &st)
	j := &Job{Hook: h.Name, Phase: phase, Template: templateName, Pos: h.Pos(),
		ActiveDeadlineSeconds: st.deadline, BackoffLimit: st.backoff, TTLSecondsAfterFinished: st.ttl,
		Decl: h, Tmpl: tmpl, Knobs: k}
	j.Quiet = quiet
	if st.wave != nil {
		j.Wave = *st.wave
	}
	g.assemble(h, k, st, sc, spec, j)
	// A literal secret is a problem of its own: the Job, never printed
	// then, still goes to the judge, so that every problem shows at once
	// (and the secret, registered here, is redacted from what it says).
	scanSecrets(j.Node, func(n *yaml.Node, msg string) {
		g.Ps.Secret(n.Value)
		g.Ps.Add(g.Origins.Pos(n, h.Pos()), h.Name, "%s", msg)
	})
	return j
}

// expandTemplate substitutes the hook's parameters into the job of its
// template. It returns nil when the policy refuses the template or the
// expansion would be too large.
func (g *Generator) expandTemplate(h *hookset.MergedHook, tmpl *hookspec.HookTemplate, with map[string]*yaml.Node, sc *subst.Scope) *yaml.Node {
	full := *sc
	full.Params = g.templateParams(h, tmpl, with, sc)
	if rule := g.Policy.TemplateRuleOf(tmpl); rule != "" {
		// Refused before it is expanded: expanding costs what the
		// template makes it cost.
		msg := fmt.Sprintf("template %q is not allowed here", tmpl.Metadata.Name)
		if rule == "templates.allowRepository" {
			msg = fmt.Sprintf("repository template %q is not allowed here; use one of the platform's templates", tmpl.Metadata.Name)
		}
		g.Ps.Add(h.At(RuleField[rule]), h.Name, "policy %s: %s", rule, msg)
		return nil
	}
	cost := &subst.Subster{Scope: &full}
	if nodes, bytes := cost.ExpansionCost(tmpl.Spec.Job); nodes > subst.MaxExpandedNodes || bytes > subst.MaxExpandedBytes {
		g.Ps.Add(h.At("with"), h.Name, "template %q would expand to more than %d YAML nodes or %d MiB with these parameters (a Job the API server stores is at most 1.5 MiB): give fewer list elements or smaller values, or check that $(params.x[*]) items are not nested", tmpl.Metadata.Name, subst.MaxExpandedNodes, subst.MaxExpandedBytes>>20)
		return nil
	}
	return g.substitute(h, &full, tmpl.Spec.Job, tmpl.Src.Pos)
}

// templateParams gives each parameter of the template its value: the one
// the hook passes with `with`, else the template's default, substituted
// and checked.
func (g *Generator) templateParams(h *hookset.MergedHook, tmpl *hookspec.HookTemplate, with map[string]*yaml.Node, sc *subst.Scope) map[string]*subst.ParamValue {
	params := map[string]*subst.ParamValue{}
	for _, p := range tmpl.Spec.Params {
		pv := &subst.ParamValue{Typ: p.Type}
		switch {
		case with[p.Name] != nil:
			pv.Node = g.substitute(h, sc, with[p.Name], h.At("with"))
		case p.Default != nil:
			pv.Node = g.substitute(h, sc, p.Default, tmpl.Src.Pos)
		}
		if pv.Node != nil {
			pv.Node = hookset.NormalizeParam(p.Type, pv.Node)
			if msg := hookset.CheckParamRef(p.Type, pv.Node); msg != "" {
				g.Ps.Add(g.Origins.Pos(pv.Node, h.At("with")), h.Name, "parameter %q %s", p.Name, msg)
			}
		}
		params[p.Name] = pv
	}
	return params
}
