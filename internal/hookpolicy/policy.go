package hookpolicy

import (
	"fmt"
	"path"
	"reflect"
	"regexp"
	"strings"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/lazyre"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// PolicyFile is the name of the policy in the sidecar's config directory.
const PolicyFile = "policy.yaml"

// HookPolicy is the platform's rules for every hook of every application.
// It lives in the sidecar's config directory, where repositories cannot
// reach, and is applied last, to every hook of the final stream (internal/judge):
// after every merge, override, parameter, substitution, kustomization and
// annotate rule, read as the API server decodes it, so nothing can slip
// past it.
//
// Without a policy file hookgen applies the open policy: any template, raw
// jobs, repository templates, namespaces, service accounts and hardening
// opt-outs are allowed; images must still be pinned. With a policy file,
// every rule it does not set takes its default, which is the strict one
// where a rule protects the cluster (see each field).
type HookPolicy struct {
	APIVersion string              `json:"apiVersion" jsonschema:"enum=hookgen.dev/v1alpha1"`
	Kind       string              `json:"kind" jsonschema:"enum=HookPolicy"`
	Metadata   hookspec.ObjectMeta `json:"metadata"`
	Spec       PolicySpec          `json:"spec"`

	Src   hookspec.Source           `json:"-"` // where it was read
	open  bool                      // no policy file: the open policy
	globs map[string]*regexp.Regexp // the patterns with **, compiled once
}

// PolicySpec holds the rules.
type PolicySpec struct {
	// RunnerImage is $(runner.image), pinned by digest (image@sha256:...).
	RunnerImage string `json:"runnerImage,omitempty"`
	// Templates says which templates hooks may use.
	Templates *TemplateRules `json:"templates,omitempty"`
	// AllowRawJobs lets hooks give a raw JobSpec (`job:`). Default false.
	AllowRawJobs bool `json:"allowRawJobs,omitempty"`
	// Images says which container images hooks may run.
	Images *ImageRules `json:"images,omitempty"`
	// Bounds limit each Job.
	Bounds *Bounds `json:"bounds,omitempty"`
	// Pods lists the pod settings hooks may use; all default to false.
	Pods *PodRules `json:"pods,omitempty"`
	// Namespaces a hook may run in besides the Application's destination namespace.
	Namespaces *NamespaceRules `json:"namespaces,omitempty"`
	// ServiceAccounts hooks may name (globs); default: any.
	ServiceAccounts hookspec.StringList `json:"serviceAccounts,omitempty"`
	// Inject adds hooks to every application.
	Inject []InjectedHook `json:"inject,omitempty"`
	// Input overrides the limits on what hookgen reads.
	Input *InputLimits `json:"input,omitempty"`
	// ManifestHooks says whether the rules also judge the application's
	// own resources that Argo CD runs as hooks (an argocd.argoproj.io/hook
	// or helm.sh/hook annotation, set in the repository or by annotate and
	// convertHelmHooks): all (the default) or none. Generated Jobs are
	// always judged.
	ManifestHooks string `json:"manifestHooks,omitempty" jsonschema:"enum=all,enum=none"`
}

// ManifestHooks values.
const (
	ManifestHooksAll    = "all"
	ManifestHooksIgnore = "none"
)

// TemplateRules say which templates hooks may use.
type TemplateRules struct {
	// Allow lists template names or globs; default: all.
	Allow hookspec.StringList `json:"allow,omitempty"`
	// AllowRepository lets repositories bring templates in .hookgen/templates. Default false.
	AllowRepository bool `json:"allowRepository,omitempty"`
}

// ImageRules say which images hooks may run.
type ImageRules struct {
	// Allow lists image globs: `*` stops at '/', `**` does not. Default: any image.
	// A pattern is matched against the reference as written and as Docker
	// expands it (busybox:1.37 is docker.io/library/busybox:1.37).
	Allow hookspec.StringList `json:"allow,omitempty"`
	// AllowUnpinned accepts images without a tag or digest, and :latest. Default false.
	AllowUnpinned bool `json:"allowUnpinned,omitempty"`
}

// Bounds limit each Job.
type Bounds struct {
	MaxActiveDeadlineSeconds       *int64 `json:"maxActiveDeadlineSeconds,omitempty"`
	MaxBackoffLimit                *int32 `json:"maxBackoffLimit,omitempty"`
	RequireTTLSecondsAfterFinished bool   `json:"requireTTLSecondsAfterFinished,omitempty"`
	// RequireResources lists what every container must set: requests.cpu,
	// requests.memory, limits.cpu, limits.memory, ...
	RequireResources hookspec.StringList `json:"requireResources,omitempty"`
	// MaxResources caps requests and limits per container (cpu, memory, ...).
	MaxResources map[string]hookspec.Quantity `json:"maxResources,omitempty"`
	// MaxWritablePaths caps a hook's writablePaths (each an emptyDir).
	// Default: hookgen's own limit of 16.
	MaxWritablePaths *int `json:"maxWritablePaths,omitempty" jsonschema:"minimum=0"`
}

// PodRules allow pod settings the policy forbids by default.
type PodRules struct {
	AllowPrivileged      bool `json:"allowPrivileged,omitempty"`
	AllowHostNamespaces  bool `json:"allowHostNamespaces,omitempty"`
	AllowHostPath        bool `json:"allowHostPath,omitempty"`
	AllowHostPorts       bool `json:"allowHostPorts,omitempty"`
	AllowCapabilities    bool `json:"allowCapabilities,omitempty"`
	AllowRoot            bool `json:"allowRoot,omitempty"`
	AllowHardeningOptOut bool `json:"allowHardeningOptOut,omitempty"`
	// PriorityClasses lists the priority classes (globs) a hook's pod may
	// name; default: none.
	PriorityClasses hookspec.StringList `json:"priorityClasses,omitempty"`
}

// NamespaceRules say where hooks may run.
type NamespaceRules struct {
	// Allow lists namespaces (globs) any hook may name.
	Allow hookspec.StringList `json:"allow,omitempty"`
	// PostDelete lists namespaces (globs) PostDelete hooks may name.
	PostDelete hookspec.StringList `json:"postDelete,omitempty"`
}

// InjectedHook is a hook the platform adds to every application.
type InjectedHook struct {
	Hook hookspec.Hook `json:"hook"`
	// AllowDisable lets an application turn the hook off. Default false.
	AllowDisable bool `json:"allowDisable,omitempty"`
	// AllowOverride lets an application change the hook's fields. Default false.
	AllowOverride bool `json:"allowOverride,omitempty"`
}

// InputLimits override DefaultLimits; unset fields keep the default.
type InputLimits struct {
	MaxFileBytes  *int64 `json:"maxFileBytes,omitempty"`
	MaxTotalBytes *int64 `json:"maxTotalBytes,omitempty"`
	MaxDocuments  *int   `json:"maxDocuments,omitempty"`
	MaxNodes      *int   `json:"maxNodes,omitempty"`
	MaxSpecNodes  *int   `json:"maxSpecNodes,omitempty"`
	MaxDepth      *int   `json:"maxDepth,omitempty"`
	MaxHooks      *int   `json:"maxHooks,omitempty"`
}

func (s *HookPolicy) SetSource(src hookspec.Source) { s.Src = src }

// OpenPolicy is the policy without a policy file.
func OpenPolicy() *HookPolicy {
	return &HookPolicy{open: true, Spec: PolicySpec{
		Templates:    &TemplateRules{AllowRepository: true},
		AllowRawJobs: true,
		Pods:         &PodRules{AllowHardeningOptOut: true, AllowPrivileged: true, AllowHostNamespaces: true, AllowHostPath: true, AllowHostPorts: true, AllowCapabilities: true, AllowRoot: true},
	}}
}

// Open reports whether this is the open policy (no policy file).
func (p *HookPolicy) Open() bool { return p.open }

// File is where the policy was read from ("" for the open policy).
func (p *HookPolicy) File() string { return p.Src.Pos.File }

var digestRE = lazyre.New(`@sha256:[a-f0-9]{64}$`)

// ParsePolicy reads and checks a HookPolicy file.
func ParsePolicy(file string, data []byte, lim yamlio.Limits, ps *problem.Collector, o *problem.Origins) *HookPolicy {
	before := len(ps.List)
	doc := hookset.SingleDoc(file, data, lim, ps, o, PolicyFile, hookspec.KindHookPolicy, "the policy file is empty")
	if doc == nil {
		return nil
	}
	p := &HookPolicy{}
	d := &hookspec.Decoder{File: file, Ps: ps}
	d.Decode(doc, reflect.ValueOf(p).Elem(), "", nil, "")
	if p.APIVersion != hookspec.APIVersion || p.Kind != hookspec.KindHookPolicy {
		ps.Add(p.Src.Pos, "", "expected apiVersion %s and kind %s, found %q and %q", hookspec.APIVersion, hookspec.KindHookPolicy, p.APIVersion, p.Kind)
		return nil
	}
	s := &p.Spec
	at := func(field string) problem.Pos { return p.Src.At("spec." + field) }
	if mh := s.ManifestHooks; mh != "" && mh != ManifestHooksAll && mh != ManifestHooksIgnore {
		ps.Add(at("manifestHooks"), "", "policy: manifestHooks must be %s or %s, not %q", ManifestHooksAll, ManifestHooksIgnore, mh)
	}
	if s.RunnerImage != "" && !digestRE.MatchString(s.RunnerImage) {
		ps.Add(at("runnerImage"), "", "policy: runnerImage must be pinned by digest (image@sha256:<64 hex digits>)")
	}
	var templates, images, namespaces, postDelete []string
	if s.Templates != nil {
		templates = s.Templates.Allow
	}
	if s.Images != nil {
		images = s.Images.Allow
	}
	if s.Namespaces != nil {
		namespaces, postDelete = s.Namespaces.Allow, s.Namespaces.PostDelete
	}
	var priorityClasses []string
	if s.Pods != nil {
		priorityClasses = s.Pods.PriorityClasses
	}
	for _, pats := range []struct {
		field string
		list  []string
	}{{"templates.allow", templates}, {"images.allow", images}, {"namespaces.allow", namespaces}, {"namespaces.postDelete", postDelete}, {"serviceAccounts", s.ServiceAccounts}, {"pods.priorityClasses", priorityClasses}} {
		for _, pat := range pats.list {
			if _, err := path.Match(strings.ReplaceAll(pat, "**", "*"), ""); err != nil || pat == "" {
				ps.Add(at(pats.field), "", "policy: %s: bad pattern %q", pats.field, pat)
			} else if re := globRegexp(pat); re != nil {
				if p.globs == nil {
					p.globs = map[string]*regexp.Regexp{}
				}
				p.globs[pat] = re
			}
		}
	}
	if b := s.Bounds; b != nil {
		for _, r := range b.RequireResources {
			kind, name, ok := strings.Cut(r, ".")
			if !ok || (kind != "requests" && kind != "limits") || name == "" {
				ps.Add(at("bounds.requireResources"), "", "policy: requireResources: %q must be requests.<resource> or limits.<resource>", r)
			}
		}
		// maxResources' values are checked as they are decoded (Quantity).
	}
	seen := map[string]bool{}
	for i := range s.Inject {
		h := &s.Inject[i].Hook
		hd := &hookspec.Decoder{File: file, Ps: ps, Hook: h.Name}
		switch {
		case !hookset.IsDNSLabel(h.Name):
			ps.Add(h.Src.Pos, h.Name, "policy: injected hooks need a name that is a DNS-1123 label")
		case seen[h.Name]:
			ps.Add(h.Src.Pos, h.Name, "policy: hook injected twice")
		}
		seen[h.Name] = true
		hookset.CheckHook(hd, h)
	}
	if len(ps.List) > before {
		return nil
	}
	return p
}

// Limits applies the policy's input limits over lim.
func (p *HookPolicy) Limits(lim yamlio.Limits) yamlio.Limits {
	in := p.Spec.Input
	if in == nil {
		return lim
	}
	set := func(dst *int, v *int) {
		if v != nil && *v > 0 {
			*dst = *v
		}
	}
	if in.MaxFileBytes != nil && *in.MaxFileBytes > 0 {
		lim.MaxFileBytes = *in.MaxFileBytes
	}
	if in.MaxTotalBytes != nil && *in.MaxTotalBytes > 0 {
		lim.MaxTotalBytes = *in.MaxTotalBytes
	}
	set(&lim.MaxDocuments, in.MaxDocuments)
	set(&lim.MaxNodes, in.MaxNodes)
	set(&lim.MaxSpecNodes, in.MaxSpecNodes)
	set(&lim.MaxDepth, in.MaxDepth)
	set(&lim.MaxHooks, in.MaxHooks)
	return lim
}

// AllowsTemplate reports whether hooks may use the template.
func (p *HookPolicy) AllowsTemplate(t *hookspec.HookTemplate) bool { return p.TemplateRule(t) == "" }

// TemplateRule names the rule that forbids the template, "" when none does.
func (p *HookPolicy) TemplateRule(t *hookspec.HookTemplate) string {
	r := p.Spec.Templates
	if r == nil {
		r = &TemplateRules{}
	}
	switch {
	case t.OriginKind == hookset.OriginRepo && !r.AllowRepository:
		return "templates.allowRepository"
	case len(r.Allow) > 0 && !p.MatchGlobs(r.Allow, t.Metadata.Name):
		return "templates.allow"
	}
	return ""
}

// CheckImage applies the image rules to one container image.
func (p *HookPolicy) CheckImage(at Path, ref, container string, rules *ImageRules, fail Verdict) {
	if rules == nil {
		rules = &ImageRules{}
	}
	if !rules.AllowUnpinned {
		_, tag, digest := splitImage(ref)
		switch {
		case digest == "" && tag == "":
			fail(at, "images.allowUnpinned", "container %q: image %q has no tag or digest: pin a real tag", container, ref)
		case digest == "" && tag == "latest":
			fail(at, "images.allowUnpinned", "container %q: image %q is tagged latest: pin a real tag", container, ref)
		}
	}
	if len(rules.Allow) > 0 && !p.MatchGlobs(rules.Allow, ref) && !p.MatchGlobs(rules.Allow, normalizeImage(ref)) {
		fail(at, "images.allow", "container %q: image %q is not allowed%s", container, ref, AllowedHint(rules.Allow))
	}
}

// splitImage splits an image reference into name, tag and digest.
func splitImage(ref string) (name, tag, digest string) {
	name = ref
	if i := strings.Index(name, "@"); i >= 0 {
		name, digest = name[:i], name[i+1:]
	}
	if i := strings.LastIndex(name, ":"); i >= 0 && !strings.Contains(name[i:], "/") {
		name, tag = name[:i], name[i+1:]
	}
	return name, tag, digest
}

// normalizeImage expands a Docker Hub short name: busybox:1 is
// docker.io/library/busybox:1, acme/x:1 is docker.io/acme/x:1.
func normalizeImage(ref string) string {
	first, rest, ok := strings.Cut(ref, "/")
	if !ok {
		return "docker.io/library/" + ref
	}
	if strings.ContainsAny(first, ".:") || first == "localhost" {
		return ref
	}
	return "docker.io/" + first + "/" + rest
}

// MatchGlobs reports whether s matches one of the policy's patterns: `*`
// matches within a path segment, `**` across segments.
func (p *HookPolicy) MatchGlobs(patterns []string, s string) bool {
	for _, pat := range patterns {
		if !strings.Contains(pat, "**") {
			if ok, _ := path.Match(pat, s); ok {
				return true
			}
			continue
		}
		re, ok := p.globs[pat]
		if !ok {
			re = globRegexp(pat) // a pattern parsePolicy did not see
		}
		if re != nil && re.MatchString(s) {
			return true
		}
	}
	return false
}

// globRegexp translates a pattern with ** to a regexp: ** is .*, * is
// [^/]*, ? is [^/]; nil for a pattern without ** or one that does not
// compile.
func globRegexp(pattern string) *regexp.Regexp {
	if !strings.Contains(pattern, "**") {
		return nil
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil
	}
	return re
}

// AllowedHint tells what a rule allows, for a message.
func AllowedHint(allowed []string) string {
	if len(allowed) == 0 {
		return ""
	}
	return fmt.Sprintf(" (allowed: %s)", strings.Join(allowed, ", "))
}

// ParseQuantity reads a Kubernetes quantity as a number of base units.
func ParseQuantity(s string) (float64, bool) {
	if !hookspec.QuantityRE.MatchString(s) {
		return 0, false
	}
	mult := 1.0
	for _, suf := range []struct {
		s string
		m float64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"Pi", 1 << 50}, {"Ei", 1 << 60}, {"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}} {
		if strings.HasSuffix(s, suf.s) {
			s, mult = strings.TrimSuffix(s, suf.s), suf.m
			break
		}
	}
	var v float64
	if _, err := fmt.Sscan(s, &v); err != nil {
		return 0, false
	}
	return v * mult, true
}
