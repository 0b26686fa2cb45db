package transform

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/internal/canon"
	"github.com/hookgen/hookgen/internal/hookpolicy"
	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/runnerenv"
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
	decl     *hookset.MergedHook    // the declaration
	tmpl     *hookspec.HookTemplate // nil for a raw job
	knobs    *hookspec.Knobs        // the hook's settings after defaults
	injected map[string]any         // a hook the platform injects: its value as generated
	movedBy  string                 // what moved the Job into its namespace, if not the hook
	quiet    map[problem.Pos]bool   // where problems follow from one found while building it
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

// ruleField is the hook field a policy rule is about, for positions.
var ruleField = map[string]string{
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

// generator turns merged hooks into Jobs.
type generator struct {
	ctx       hookspec.Context
	templates hookset.Templates
	defaults  hookspec.Knobs
	origins   *problem.Origins
	ps        *problem.Collector
	policy    *hookpolicy.HookPolicy
	// fromParams marks `with` values that came from Application
	// parameters: text to read by the parameter's type.
	fromParams map[*yaml.Node]bool
}

// generate returns the Jobs of one hook, one per phase.
func (g *generator) generate(h *hookset.MergedHook) []*Job {
	var k hookspec.Knobs
	if !g.policy.Injects(h) {
		// The repository's defaults do not reach the platform's own hooks.
		hookset.Overlay(reflect.ValueOf(&k).Elem(), reflect.ValueOf(g.defaults))
	}
	hookset.Overlay(reflect.ValueOf(&k).Elem(), reflect.ValueOf(h.Knobs))

	var tmpl *hookspec.HookTemplate
	switch {
	case h.Job != nil:
		if h.Job.Kind != yaml.MappingNode {
			return nil // reported when loaded
		}
		hookset.CheckJobShape(h.Job, func(n *yaml.Node, msg string) {
			g.ps.Add(g.origins.Pos(n, h.At("job")), h.Name, "job: %s", msg)
		})
	case h.Uses == "":
		if !h.Wrote("uses") && !h.Wrote("job") {
			g.ps.Add(h.Pos(), h.Name, "set uses (a template: %s) or job (a raw JobSpec)", strings.Join(g.templates.Names(), ", "))
		} // else reported when loaded
		return nil
	default:
		tmpl = g.templates[h.Uses]
		if tmpl == nil {
			g.ps.Add(h.At("uses"), h.Name, "unknown template %q%s", h.Uses, hookspec.Suggest(h.Uses, g.templates.Names()))
			return nil
		}
		if tmpl.Broken {
			return nil // its problems are reported where it is defined
		}
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
			if g.policy.Injects(h) {
				v, _ := canon.Value(j.Node)
				j.injected, _ = v.(map[string]any)
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
func (g *generator) settings(h *hookset.MergedHook, k *hookspec.Knobs, tmpl *hookspec.HookTemplate) settings {
	td := defaultsOf(tmpl)
	var st settings
	phases := h.Phase
	if len(phases) == 0 {
		phases = td.Phase
	}
	if len(phases) == 0 {
		g.ps.Add(h.Pos(), h.Name, "no phase: set phase to one of %s", hookset.PhaseList())
	}
	for _, name := range phases {
		p, ok := hookspec.ParsePhase(name)
		if !ok {
			continue // reported when loaded
		}
		if tmpl != nil && !tmpl.Allows(p) {
			g.ps.Add(h.At("phase"), h.Name, "template %q runs in %s, not %s", tmpl.Metadata.Name, strings.Join(tmpl.Spec.Phases, ", "), p)
			continue
		}
		st.phases = append(st.phases, p)
	}
	st.wave = cmp.Or(h.Wave, td.Wave)
	st.generateName = derefOr(cmp.Or(k.GenerateName, td.GenerateName), false)
	if st.generateName {
		for _, p := range st.phases {
			if p.IsDelete() {
				g.ps.Add(h.At("generateName"), h.Name, "generateName cannot be used for %s: Argo CD finds deletion hooks by name and would create a new Job on every reconcile", p)
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
func (g *generator) Limits(h *hookset.MergedHook, k *hookspec.Knobs, tmpl *hookspec.HookTemplate, spec *yaml.Node, st *settings) {
	td := defaultsOf(tmpl)
	bad := func(key string) {
		g.ps.Add(g.origins.Pos(yamlio.MapGet(spec, key), h.At("job")), h.Name, "job %s must be a non-negative integer", key)
	}
	st.deadline = derefOr(cmp.Or(k.ActiveDeadlineSeconds, td.ActiveDeadlineSeconds, jobInt[int64](spec, "activeDeadlineSeconds", bad)), DefaultActiveDeadlineSeconds)
	st.backoff = derefOr(cmp.Or(k.BackoffLimit, td.BackoffLimit, jobInt[int32](spec, "backoffLimit", bad)), DefaultBackoffLimit)
	st.ttl = cmp.Or(k.TTLSecondsAfterFinished, td.TTLSecondsAfterFinished, jobInt[int32](spec, "ttlSecondsAfterFinished", bad))
	if st.ttl == nil && st.generateName {
		ttl := int32(DefaultGenerateNameTTL)
		st.ttl = &ttl
	}
	if st.ttl != nil && *st.ttl < MinHookTTL && !g.ctx.ArgoCD.AtLeast(3, 0) {
		pos := h.At("ttlSecondsAfterFinished")
		if k.TTLSecondsAfterFinished == nil && td.TTLSecondsAfterFinished == nil {
			pos = g.origins.Pos(yamlio.MapGet(spec, "ttlSecondsAfterFinished"), h.At("job"))
		}
		g.ps.Add(pos, h.Name, "ttlSecondsAfterFinished %d: Argo CD before 3.0 waits forever for a hook Job deleted before it saw the Job finish (argo-cd#18884); set at least %d, or, if the sidecar serves Argo CD 3.0 or newer, say so with HOOKGEN_ARGOCD_VERSION (now %s)", *st.ttl, MinHookTTL, g.ctx.ArgoCD)
	}
}

// checkWith checks a hook's parameters against its template and returns
// them by name; complete says that every parameter given has a good value
// and every one the template needs is given.
func (g *generator) checkWith(h *hookset.MergedHook, tmpl *hookspec.HookTemplate) (with map[string]*yaml.Node, complete bool) {
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
			pos := g.origins.Pos(key, h.At("with"))
			p := declared[key.Value]
			if p == nil {
				if len(names) == 0 {
					g.ps.Add(pos, h.Name, "template %q takes no parameters; remove %q", tmpl.Metadata.Name, key.Value)
				} else if hint := hookspec.KubeFieldHint(key.Value, hookspec.IsHookField); hint != "" && !slices.Contains(hookset.OwnHookFields, key.Value) {
					g.ps.Add(pos, h.Name, "template %q has no parameter %q: %s", tmpl.Metadata.Name, key.Value, hint)
				} else {
					g.ps.Add(pos, h.Name, "template %q has no parameter %q%s", tmpl.Metadata.Name, key.Value, hookspec.Suggest(key.Value, names))
				}
				continue
			}
			if yamlio.IsNull(val) {
				continue // an explicit null unsets an inherited value
			}
			given[p.Name] = true
			if g.fromParams[val] {
				parsed, msg := parseParamText(p.Type, val.Value)
				if msg != "" {
					g.ps.Add(problem.Pos{File: ParametersFile}, h.Name, "%s%s: %q %s", ParamHookPrefix, h.Name, p.Name, msg)
					complete = false
					continue
				}
				val = parsed
			}
			if msg := hookset.CheckParamValue(p.Type, val); msg != "" {
				g.ps.Add(g.origins.Pos(val, pos), h.Name, "parameter %q %s", p.Name, msg)
				complete = false
				continue
			}
			with[p.Name] = val
		}
	}
	for _, p := range tmpl.Spec.Params {
		if p.Required && !given[p.Name] {
			g.ps.Add(h.KeyAt("with"), h.Name, "template %q needs parameter %q (%s): add it under with", tmpl.Metadata.Name, p.Name, p.Type)
			complete = false
		}
	}
	return with, complete
}

// scope returns the placeholder values for one phase of a hook.
func (g *generator) scope(h *hookset.MergedHook, phase hookspec.Phase) *subst.Scope {
	return &subst.Scope{
		App:    g.ctx.App,
		Hook:   map[string]string{"name": h.Name, "phase": string(phase), "outcome": phase.Outcome()},
		Env:    g.ctx.Env,
		Runner: g.ctx.RunnerImage,
	}
}

// substitute runs one substitution pass over a copy of n and reports its
// problems at the nodes' origins.
func (g *generator) substitute(h *hookset.MergedHook, sc *subst.Scope, n *yaml.Node, fallback problem.Pos) *yaml.Node {
	s := &subst.Subster{Scope: sc, Origins: g.origins, Dollars: subst.DollarsMarked}
	out := s.Tree(g.origins.Copy(n))
	for _, e := range s.Errs {
		g.ps.Add(g.origins.Pos(e.Node, fallback), h.Name, "%s", e.Msg)
	}
	return out
}

// Text substitutes placeholders in a string setting of a hook; ok says
// every placeholder resolved (else the value is not checked further: its
// problems would follow from the placeholder's).
func (g *generator) Text(h *hookset.MergedHook, sc *subst.Scope, field, in string) (out string, ok bool) {
	s := &subst.Subster{Scope: sc}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: yamlio.TagStr, Value: in}
	out = s.String(n, in)
	for _, e := range s.Errs {
		g.ps.Add(h.At(field), h.Name, "%s: %s", field, e.Msg)
	}
	return out, len(s.Errs) == 0
}

// phaseJob builds the Job of one phase.
func (g *generator) phaseJob(h *hookset.MergedHook, k *hookspec.Knobs, tmpl *hookspec.HookTemplate, with map[string]*yaml.Node, st settings, phase hookspec.Phase) *Job {
	before := len(g.ps.List)
	sc := g.scope(h, phase)
	var spec *yaml.Node
	templateName := ""
	if tmpl != nil {
		templateName = tmpl.Metadata.Name
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
					g.ps.Add(g.origins.Pos(pv.Node, h.At("with")), h.Name, "parameter %q %s", p.Name, msg)
				}
			}
			params[p.Name] = pv
		}
		full := *sc
		full.Params = params
		if rule := g.policy.TemplateRuleOf(tmpl); rule != "" {
			// Refused before it is expanded: expanding costs what the
			// template makes it cost.
			msg := fmt.Sprintf("template %q is not allowed here", tmpl.Metadata.Name)
			if rule == "templates.allowRepository" {
				msg = fmt.Sprintf("repository template %q is not allowed here; use one of the platform's templates", tmpl.Metadata.Name)
			}
			g.ps.Add(h.At(ruleField[rule]), h.Name, "policy %s: %s", rule, msg)
			return nil
		}
		cost := &subst.Subster{Scope: &full}
		if nodes, bytes := cost.ExpansionCost(tmpl.Spec.Job); nodes > subst.MaxExpandedNodes || bytes > subst.MaxExpandedBytes {
			g.ps.Add(h.At("with"), h.Name, "template %q would expand to more than %d YAML nodes or %d MiB with these parameters (a Job the API server stores is at most 1.5 MiB): give fewer list elements or smaller values, or check that $(params.x[*]) items are not nested", tmpl.Metadata.Name, subst.MaxExpandedNodes, subst.MaxExpandedBytes>>20)
			return nil
		}
		spec = g.substitute(h, &full, tmpl.Spec.Job, tmpl.Src.Pos)
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
	for _, p := range g.ps.List[before:] {
		if quiet == nil {
			quiet = map[problem.Pos]bool{}
		}
		quiet[p.Pos] = true
	}
	mark := len(g.ps.List)
	defer func() {
		if quiet == nil {
			return
		}
		kept := g.ps.List[:mark]
		for _, p := range g.ps.List[mark:] {
			if !quiet[p.Pos] {
				kept = append(kept, p)
			}
		}
		g.ps.List = kept
	}()
	// From here on the job is in canonical form: what is read is what is
	// written, and what Kubernetes reads.
	yamlio.Canonical(spec)
	g.Limits(h, k, tmpl, spec, &st)
	j := &Job{Hook: h.Name, Phase: phase, Template: templateName, Pos: h.Pos(),
		ActiveDeadlineSeconds: st.deadline, BackoffLimit: st.backoff, TTLSecondsAfterFinished: st.ttl,
		decl: h, tmpl: tmpl, knobs: k}
	j.quiet = quiet
	if st.wave != nil {
		j.Wave = *st.wave
	}
	g.assemble(h, k, st, sc, spec, j)
	// A literal secret is a problem of its own: the Job, never printed
	// then, still goes to the judge, so that every problem shows at once
	// (and the secret, registered here, is redacted from what it says).
	scanSecrets(j.Node, func(n *yaml.Node, msg string) {
		g.ps.Secret(n.Value)
		g.ps.Add(g.origins.Pos(n, h.Pos()), h.Name, "%s", msg)
	})
	return j
}

// assemble wraps a substituted JobSpec into a complete, hardened Job.
func (g *generator) assemble(h *hookset.MergedHook, k *hookspec.Knobs, st settings, sc *subst.Scope, spec *yaml.Node, j *Job) {
	fail := func(n *yaml.Node, format string, args ...any) {
		g.ps.Add(g.origins.Pos(n, h.Pos()), h.Name, format, args...)
	}
	// Name.
	base := h.Name + "-" + strings.ToLower(string(j.Phase))
	if st.generateName {
		j.Name, j.Generate = base+"-", true
		if limit := maxNameLength - generateNameSuffixFixed - len(j.Phase); len(j.Name) > limit {
			g.ps.Add(h.Pos(), h.Name, "generateName %q is %d characters; with Argo CD's suffix the Job name would pass Kubernetes' 63: shorten the hook name to at most %d characters", j.Name, len(j.Name), limit-len(j.Phase)-2)
		}
	} else {
		j.Name = base
		if len(base) > maxNameLength {
			g.ps.Add(h.Pos(), h.Name, "Job name %q is %d characters; Kubernetes allows %d: shorten the hook name", base, len(base), maxNameLength)
		}
	}
	if k.Namespace != nil {
		ns, ok := g.Text(h, sc, "namespace", *k.Namespace)
		j.Namespace = ns
		if ok && !hookset.IsDNSLabel(j.Namespace) {
			g.ps.Add(h.At("namespace"), h.Name, "namespace %q is not a DNS-1123 label", subst.Clip(j.Namespace, 80))
		}
	}

	// Metadata.
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

	// Job spec: hookgen's settings first, then the template's.
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
	pod := yamlio.MapGet(js, "template")
	podSpec := yamlio.MapGet(pod, "spec")
	if podSpec == nil || podSpec.Kind != yaml.MappingNode {
		fail(spec, "the job has no pod template (template.spec)")
		return
	}

	// Pod metadata.
	podMeta := yamlio.MapEnsure(pod, "metadata")
	labels := map[string]string{}
	for key, v := range k.PodLabels {
		text, ok := g.Text(h, sc, "podLabels."+key, v)
		labels[key] = text
		if !ok {
			text = "" // the key alone is checked
		}
		if msg := hookset.CheckLabel(key, text); msg != "" {
			g.ps.Add(h.At("podLabels."+key), h.Name, "podLabels: %s", msg)
		}
	}
	mergeStrings(podMeta, "labels", labels)
	mergeStrings(podMeta, "labels", map[string]string{hookspec.LabelManagedBy: hookspec.ManagedBy, hookspec.LabelHook: h.Name})
	if len(k.PodAnnotations) > 0 {
		anns := map[string]string{}
		for key, v := range k.PodAnnotations {
			anns[key], _ = g.Text(h, sc, "podAnnotations."+key, v)
			if msg := hookset.CheckQualifiedName(key); msg != "" {
				g.ps.Add(h.At("podAnnotations."+key), h.Name, "podAnnotations: key %q %s", key, msg)
			}
		}
		mergeStrings(podMeta, "annotations", anns)
	}

	// Pod spec.
	added := g.podFields(h, k, sc, podSpec, fail)
	if k.ServiceAccountName != nil {
		sa, ok := g.Text(h, sc, "serviceAccountName", *k.ServiceAccountName)
		if ok && !hookset.IsDNSSubdomain(sa) {
			g.ps.Add(h.At("serviceAccountName"), h.Name, "serviceAccountName %q is not a DNS-1123 subdomain", subst.Clip(sa, 80))
		}
		yamlio.MapSet(podSpec, "serviceAccountName", yamlio.NewStr(sa))
	}
	if len(k.NodeSelector) > 0 {
		sel := map[string]string{}
		for key, v := range k.NodeSelector {
			text, ok := g.Text(h, sc, "nodeSelector."+key, v)
			sel[key] = text
			if !ok {
				text = "" // the key alone is checked
			}
			if msg := hookset.CheckLabel(key, text); msg != "" {
				g.ps.Add(h.At("nodeSelector."+key), h.Name, "nodeSelector: %s", msg)
			}
		}
		mergeStrings(podSpec, "nodeSelector", sel)
	}
	if k.Tolerations != nil {
		yamlio.MapSet(podSpec, "tolerations", tolerationNodes(k.Tolerations))
	}

	hard := hardeningOf(k, len(serviceAccounts(obj(yamlio.ValueOf(podSpec)))) > 0)
	j.DefaultUser = hardenPod(podSpec, hard, fail)
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
				addEnv(c, g.runnerEnv(h, j.Phase), g.origins.Copy)
			}
			if len(env) > 0 {
				addEnv(c, env, g.origins.Copy)
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
			if hard.readOnlyRoot && addTmpMount(c) {
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

// hardened holds the hardened settings in force for a hook.
type hardened struct {
	runAsNonRoot, seccomp, noEscalation, dropAll, readOnlyRoot, automount bool
	runAsUser, runAsGroup, fsGroup                                        *int64
}

// hardeningOf is the hardening in force for a hook; hasSA says its pod
// names a service account.
func hardeningOf(k *hookspec.Knobs, hasSA bool) hardened {
	h := k.Hardening
	if h == nil {
		h = &hookspec.Hardening{}
	}
	return hardened{
		runAsNonRoot: derefOr(h.RunAsNonRoot, true),
		seccomp:      derefOr(h.SeccompProfile, "RuntimeDefault") == "RuntimeDefault",
		noEscalation: !derefOr(h.AllowPrivilegeEscalation, false),
		dropAll:      derefOr(h.DropAllCapabilities, true),
		readOnlyRoot: derefOr(h.ReadOnlyRootFilesystem, true),
		automount:    derefOr(h.AutomountServiceAccountToken, hasSA),
		runAsUser:    h.RunAsUser,
		runAsGroup:   h.RunAsGroup,
		fsGroup:      h.FSGroup,
	}
}

// isStringNode reports whether Kubernetes reads a string in n.
func isStringNode(n *yaml.Node) bool {
	_, ok := yamlio.ValueOf(n).(string)
	return ok
}

const optOut = "; hookgen hardens hook pods: set hardening.%s: %s in the hook to opt out"

// hardenPod hardens the pod's own settings. It reports whether the pod
// runs as hookgen's default user: while runAsNonRoot is on, a pod that
// names no user (the hook's hardening.runAsUser, or the template's pod
// securityContext) runs as DefaultRunAsUser, and one that names no group
// as DefaultRunAsGroup, so that images whose USER is root or a name start.
func hardenPod(podSpec *yaml.Node, hard hardened, fail func(*yaml.Node, string, ...any)) (defaultUser bool) {
	if am := yamlio.MapGet(podSpec, "automountServiceAccountToken"); isTrue(yamlio.ValueOf(am)) && !hard.automount {
		fail(am, "automountServiceAccountToken is true without a service account"+optOut, "automountServiceAccountToken", "true")
	}
	yamlio.MapSet(podSpec, "automountServiceAccountToken", yamlio.NewBool(hard.automount))
	sc := yamlio.MapEnsure(podSpec, "securityContext")
	if hard.runAsNonRoot {
		if v := yamlio.MapGet(sc, "runAsNonRoot"); isFalse(yamlio.ValueOf(v)) {
			fail(v, "the pod sets runAsNonRoot: false"+optOut, "runAsNonRoot", "false")
		}
		if v := yamlio.MapGet(sc, "runAsUser"); isZero(yamlio.ValueOf(v)) {
			fail(v, "the pod runs as user 0 (root)"+optOut, "runAsNonRoot", "false")
		}
		yamlio.MapSet(sc, "runAsNonRoot", yamlio.NewBool(true))
	}
	switch {
	case hard.runAsUser != nil:
		yamlio.MapSet(sc, "runAsUser", yamlio.NewInt(*hard.runAsUser))
	case hard.runAsNonRoot && yamlio.MapGet(sc, "runAsUser") == nil:
		yamlio.MapSet(sc, "runAsUser", yamlio.NewInt(hookset.DefaultRunAsUser))
		defaultUser = true
	}
	switch {
	case hard.runAsGroup != nil:
		yamlio.MapSet(sc, "runAsGroup", yamlio.NewInt(*hard.runAsGroup))
	case hard.runAsNonRoot && yamlio.MapGet(sc, "runAsGroup") == nil:
		yamlio.MapSet(sc, "runAsGroup", yamlio.NewInt(hookset.DefaultRunAsGroup))
	}
	if hard.fsGroup != nil {
		yamlio.MapSet(sc, "fsGroup", yamlio.NewInt(*hard.fsGroup))
	}
	if hard.seccomp {
		prof := yamlio.MapGet(sc, "seccompProfile")
		switch t := yamlio.MapGet(prof, "type"); yamlio.Str(yamlio.ValueOf(t)) {
		case "RuntimeDefault", "Localhost":
		default:
			if t == nil {
				yamlio.MapSet(sc, "seccompProfile", yamlio.NewMap("type", yamlio.NewStr("RuntimeDefault")))
				break
			}
			fail(t, "the pod sets seccompProfile %v"+optOut, yamlio.ValueOf(t), "seccompProfile", "Unconfined")
		}
	}
	return defaultUser
}

func hardenContainer(c *yaml.Node, name string, hard hardened, fail func(*yaml.Node, string, ...any)) {
	sc := yamlio.MapEnsure(c, "securityContext")
	if v := yamlio.MapGet(sc, "privileged"); isTrue(yamlio.ValueOf(v)) && hard.noEscalation {
		fail(v, "container %q is privileged"+optOut, name, "allowPrivilegeEscalation", "true")
	}
	if hard.noEscalation {
		if v := yamlio.MapGet(sc, "allowPrivilegeEscalation"); isTrue(yamlio.ValueOf(v)) {
			fail(v, "container %q sets allowPrivilegeEscalation: true"+optOut, name, "allowPrivilegeEscalation", "true")
		}
		yamlio.MapSet(sc, "allowPrivilegeEscalation", yamlio.NewBool(false))
	}
	if hard.dropAll {
		caps := yamlio.MapEnsure(sc, "capabilities")
		if add := yamlio.MapGet(caps, "add"); add != nil && add.Kind == yaml.SequenceNode {
			for _, c := range add.Content {
				if v := yamlio.ValueOf(c); yamlio.Str(v) != "NET_BIND_SERVICE" {
					fail(c, "container %q adds capability %v"+optOut, name, v, "dropAllCapabilities", "false")
				}
			}
		}
		yamlio.MapSet(caps, "drop", yamlio.NewSeq(yamlio.NewStr("ALL")))
	}
	if hard.readOnlyRoot {
		if v := yamlio.MapGet(sc, "readOnlyRootFilesystem"); isFalse(yamlio.ValueOf(v)) {
			fail(v, "container %q sets readOnlyRootFilesystem: false"+optOut, name, "readOnlyRootFilesystem", "false")
		}
		yamlio.MapSet(sc, "readOnlyRootFilesystem", yamlio.NewBool(true))
	}
	if hard.runAsNonRoot {
		if v := yamlio.MapGet(sc, "runAsNonRoot"); isFalse(yamlio.ValueOf(v)) {
			fail(v, "container %q sets runAsNonRoot: false"+optOut, name, "runAsNonRoot", "false")
		}
		if v := yamlio.MapGet(sc, "runAsUser"); isZero(yamlio.ValueOf(v)) {
			fail(v, "container %q runs as user 0 (root)"+optOut, name, "runAsNonRoot", "false")
		}
	}
}

// addTmpMount gives a container a writable /tmp when its root is read-only,
// unless it mounts something there itself. It reports whether it did.
func addTmpMount(c *yaml.Node) bool {
	mounts := yamlio.MapGet(c, "volumeMounts")
	if mounts == nil || mounts.Kind != yaml.SequenceNode {
		mounts = yamlio.NewSeq()
		yamlio.MapSet(c, "volumeMounts", mounts)
	}
	for _, m := range mounts.Content {
		if p := yamlio.MapGet(m, "mountPath"); p != nil && strings.TrimRight(p.Value, "/") == "/tmp" {
			return false
		}
	}
	mounts.Content = append(mounts.Content, yamlio.NewMap("name", yamlio.NewStr(tmpVolume), "mountPath", yamlio.NewStr("/tmp")))
	return true
}

// addTmpVolume adds the emptyDir behind the /tmp mounts.
func addTmpVolume(podSpec *yaml.Node) {
	vols := yamlio.MapGet(podSpec, "volumes")
	if vols == nil || vols.Kind != yaml.SequenceNode {
		vols = yamlio.NewSeq()
		yamlio.MapSet(podSpec, "volumes", vols)
	}
	vols.Content = append(vols.Content, yamlio.NewMap("name", yamlio.NewStr(tmpVolume), "emptyDir", yamlio.NewMap("sizeLimit", yamlio.NewStr(hookset.EmptyDirLimit))))
}

// isRunner reports whether a container runs hookgen's runner
// (command: [hookgen, run, <action>]).
func isRunner(c *yaml.Node) bool {
	cmd := yamlio.MapGet(c, "command")
	return cmd != nil && cmd.Kind == yaml.SequenceNode && len(cmd.Content) >= 2 &&
		cmd.Content[0].Value == "hookgen" && cmd.Content[1].Value == "run"
}

// RunnerEnv lists the variables a runner container gets: the context its
// messages are made of (internal/runnerenv, package runner). Empty values
// are left out.
var RunnerEnv = []struct {
	Name string
	Get  func(hookspec.App, string, hookspec.Phase, string) string
}{
	{runnerenv.AppName, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Name }},
	{runnerenv.AppNamespace, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Namespace }},
	{runnerenv.AppProject, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Project }},
	{runnerenv.AppRevision, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Revision }},
	{runnerenv.AppRevisionShort, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.RevisionShort }},
	{runnerenv.AppRepoURL, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.RepoURL }},
	{runnerenv.AppPath, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Path }},
	{runnerenv.AppTargetRevision, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.TargetRevision }},
	{runnerenv.HookName, func(_ hookspec.App, hook string, _ hookspec.Phase, _ string) string { return hook }},
	{runnerenv.HookPhase, func(_ hookspec.App, _ string, p hookspec.Phase, _ string) string { return string(p) }},
	{runnerenv.HookOutcome, func(_ hookspec.App, _ string, p hookspec.Phase, _ string) string { return p.Outcome() }},
	{runnerenv.ArgoCDURL, func(_ hookspec.App, _ string, _ hookspec.Phase, url string) string { return url }},
}

// runnerEnv builds the context variables of a runner container.
func (g *generator) runnerEnv(h *hookset.MergedHook, p hookspec.Phase) []*yaml.Node {
	var out []*yaml.Node
	for _, e := range RunnerEnv {
		if v := e.Get(g.ctx.App, h.Name, p, g.ctx.ArgoCDURL); v != "" {
			out = append(out, yamlio.NewMap("name", yamlio.NewStr(e.Name), "value", yamlio.NewStr(subst.EscapeExpansion(v))))
		}
	}
	return out
}

// envNode builds an EnvVar node, substituting placeholders in its value.
func (g *generator) envNode(h *hookset.MergedHook, sc *subst.Scope, e hookspec.EnvVar) *yaml.Node {
	n := yamlio.NewMap("name", yamlio.NewStr(e.Name))
	switch {
	case e.Value != nil:
		s := &subst.Subster{Scope: sc, Dollars: subst.DollarsEscaped}
		src := &yaml.Node{Kind: yaml.ScalarNode, Tag: yamlio.TagStr, Value: *e.Value, Line: e.Src.At("value").Line}
		v := s.String(src, *e.Value)
		for _, err := range s.Errs {
			g.ps.Add(e.Src.At("value"), h.Name, "env %s: %s", e.Name, err.Msg)
		}
		vn := yamlio.NewStr(v)
		vn.Line, vn.Column = e.Src.At("value").Line, e.Src.At("value").Col
		g.origins.File[vn] = e.Src.Pos.File
		yamlio.MapSet(n, "value", vn)
	case e.ValueFrom != nil:
		vf := g.substitute(h, sc, e.ValueFrom, e.Src.Pos)
		if vf != nil {
			subst.Untaint(vf)
		}
		yamlio.MapSet(n, "valueFrom", vf)
	}
	return n
}

// addEnv adds env vars to a container, replacing those of the same name.
func addEnv(c *yaml.Node, env []*yaml.Node, copyNode func(*yaml.Node) *yaml.Node) {
	list := yamlio.MapGet(c, "env")
	if list == nil || list.Kind != yaml.SequenceNode {
		list = yamlio.NewSeq()
		yamlio.MapSet(c, "env", list)
	}
	for _, e := range env {
		name := yamlio.MapGet(e, "name").Value
		replaced := false
		for i, old := range list.Content {
			if n := yamlio.MapGet(old, "name"); n != nil && n.Value == name {
				list.Content[i] = copyNode(e)
				replaced = true
			}
		}
		if !replaced {
			list.Content = append(list.Content, copyNode(e))
		}
	}
}

func resourcesNode(r *hookspec.Resources) *yaml.Node {
	n := yamlio.NewMap()
	for _, part := range []struct {
		key string
		m   map[string]hookspec.Quantity
	}{{"limits", r.Limits}, {"requests", r.Requests}} {
		if len(part.m) == 0 {
			continue
		}
		m := map[string]string{}
		for k, v := range part.m {
			m[k] = string(v)
		}
		yamlio.MapSet(n, part.key, yamlio.StrMap(m))
	}
	return n
}

func tolerationNodes(ts []hookspec.Toleration) *yaml.Node {
	list := yamlio.NewSeq()
	for _, t := range ts {
		n := yamlio.NewMap()
		for _, kv := range [][2]string{{"key", t.Key}, {"operator", t.Operator}, {"value", t.Value}, {"effect", t.Effect}} {
			if kv[1] != "" {
				yamlio.MapSet(n, kv[0], yamlio.NewStr(kv[1]))
			}
		}
		if t.TolerationSeconds != nil {
			yamlio.MapSet(n, "tolerationSeconds", yamlio.NewInt(*t.TolerationSeconds))
		}
		list.Content = append(list.Content, n)
	}
	return list
}

// mergeStrings merges string pairs into the mapping under key, sorted.
func mergeStrings(m *yaml.Node, key string, add map[string]string) {
	if len(add) == 0 {
		return
	}
	all := map[string]string{}
	if old := yamlio.MapGet(m, key); old != nil && old.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(old.Content); i += 2 {
			all[old.Content[i].Value] = old.Content[i+1].Value
		}
	}
	for k, v := range add {
		all[k] = v
	}
	yamlio.MapSet(m, key, yamlio.StrMap(all))
}

// jobInt reads an integer field of a template's job, if it is a literal.
// jobInt reads an integer the job sets, nil when it sets none; a value that
// is not a non-negative integer of T's size goes to bad.
func jobInt[T int32 | int64](job *yaml.Node, key string, bad func(key string)) *T {
	v := yamlio.MapGet(job, key)
	if v == nil {
		return nil
	}
	i, err := strconv.ParseInt(v.Value, 0, 64)
	if v.ShortTag() != yamlio.TagInt || err != nil || i < 0 || int64(T(i)) != i {
		bad(key)
		return nil
	}
	t := T(i)
	return &t
}

func derefOr[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}

func dedupe(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
