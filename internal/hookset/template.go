package hookset

import (
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/lazyre"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Where a template comes from. A platform template replaces a built-in one
// of the same name; a repository template may only add new names.
const (
	OriginBuiltin  = "built-in"
	OriginPlatform = "platform"
	OriginRepo     = "repository"
)

// Templates is a set of HookTemplates by name.
type Templates map[string]*hookspec.HookTemplate

// Names returns the template names, sorted.
func (ts Templates) Names() []string { return subst.SortedKeys(ts) }

// DNSLabelPattern is the regular expression a DNS-1123 label matches (the
// names of hooks and templates), up to its 63 characters; the JSON Schemas
// carry it.
const DNSLabelPattern = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`

var (
	dnsLabelRE  = lazyre.New(DNSLabelPattern)
	paramNameRE = lazyre.New(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// IsDNSLabel reports whether s is a DNS-1123 label (names of hooks,
// namespaces, containers).
func IsDNSLabel(s string) bool { return len(s) <= 63 && dnsLabelRE.MatchString(s) }

// IsDNSSubdomain reports whether s is a DNS-1123 subdomain (names of
// Secrets, ServiceAccounts, ConfigMaps).
func IsDNSSubdomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !dnsLabelRE.MatchString(part) {
			return false
		}
	}
	return true
}

// ParseTemplates reads every HookTemplate document of a file and checks it.
func ParseTemplates(file string, data []byte, origin string, lim yamlio.Limits, ps *problem.Collector) []*hookspec.HookTemplate {
	return TemplatesOf(file, yamlio.ParseStream(file, data, lim, ps), origin, true, ps)
}

// TemplatesOf decodes the parsed documents of a template file, and checks
// them unless they are built-in templates a test has checked.
func TemplatesOf(file string, docs []*yaml.Node, origin string, check bool, ps *problem.Collector) []*hookspec.HookTemplate {
	var out []*hookspec.HookTemplate
	for _, doc := range docs {
		if doc == nil {
			continue
		}
		t := &hookspec.HookTemplate{OriginKind: origin}
		d := &hookspec.Decoder{File: file, Ps: ps}
		d.Decode(doc, reflect.ValueOf(t).Elem(), "", nil, "")
		if t.Metadata.Name == "" && t.APIVersion == "" {
			continue // not a template at all; reported
		}
		t.Broken = check && !checkTemplate(t, ps)
		out = append(out, t)
	}
	return out
}

// checkTemplate validates a decoded template; it reports whether the
// template is usable.
func checkTemplate(t *hookspec.HookTemplate, ps *problem.Collector) bool {
	before := len(ps.List)
	at := t.Src.At
	name := t.Metadata.Name
	if t.APIVersion != hookspec.APIVersion || t.Kind != hookspec.KindHookTemplate {
		ps.Add(t.Src.Pos, "", "expected apiVersion %s and kind %s, found %q and %q", hookspec.APIVersion, hookspec.KindHookTemplate, t.APIVersion, t.Kind)
		return false
	}
	if !IsDNSLabel(name) {
		ps.Add(at("metadata"), "", "template name %q must be a DNS-1123 label (lowercase letters, digits, '-')", name)
	}
	s := &t.Spec
	for _, ph := range s.Phases {
		if _, ok := hookspec.ParsePhase(ph); !ok {
			ps.Add(s.Src.At("phases"), "", "template %q: unknown phase %q (phases: %s)", name, ph, PhaseList())
		}
	}
	if d := s.Defaults; d != nil {
		for _, ph := range d.Phase {
			p, ok := hookspec.ParsePhase(ph)
			switch {
			case !ok:
				ps.Add(d.Src.At("phase"), "", "template %q: unknown default phase %q (phases: %s)", name, ph, PhaseList())
			case !t.Allows(p):
				ps.Add(d.Src.At("phase"), "", "template %q: default phase %s is not in its phases", name, ph)
			}
		}
		for _, dp := range d.DeletePolicy {
			if _, ok := hookspec.ParseDeletePolicy(dp); !ok {
				ps.Add(d.Src.At("deletePolicy"), "", "template %q: unknown delete policy %q (policies: %s)", name, dp, policyList())
			}
		}
	}
	seen := map[string]bool{}
	for i := range s.Params {
		p := &s.Params[i]
		switch {
		case !paramNameRE.MatchString(p.Name):
			ps.Add(p.Src.Pos, "", "template %q: parameter name %q must start with a letter and hold only letters, digits and '_'", name, p.Name)
		case seen[p.Name]:
			ps.Add(p.Src.Pos, "", "template %q: parameter %q declared twice", name, p.Name)
		}
		seen[p.Name] = true
		if p.Type == "" {
			p.Type = hookspec.ParamString
		}
		if !slices.Contains(hookspec.ParamTypes, p.Type) {
			ps.Add(p.Src.At("type"), "", "template %q: parameter %q has unknown type %q (types: %s)", name, p.Name, p.Type, typeList())
			continue
		}
		if p.Default != nil {
			if p.Required {
				ps.Add(p.Src.At("default"), "", "template %q: parameter %q is required and has a default; drop one", name, p.Name)
			}
			if msg := CheckParamValue(p.Type, p.Default); msg != "" {
				ps.Add(p.Src.At("default"), "", "template %q: default of parameter %q %s", name, p.Name, msg)
			}
		}
	}
	if s.Job == nil || s.Job.Kind != yaml.MappingNode {
		ps.Add(s.Src.Pos, "", "template %q: spec.job must be a batch/v1 JobSpec (a mapping)", name)
	} else {
		CheckJobShape(s.Job, func(n *yaml.Node, msg string) {
			ps.Add(problem.Pos{File: t.Src.Pos.File, Line: n.Line}, "", "template %q: job: %s", name, msg)
		})
		checkPlaceholders(s.Job, s.Params, func(n *yaml.Node, msg string) {
			ps.Add(problem.Pos{File: t.Src.Pos.File, Line: n.Line}, "", "template %q: %s", name, msg)
		})
	}
	return len(ps.List) == before
}

// checkPlaceholders resolves every placeholder of a template's job against
// stand-in values, so a template with a typo fails when it is loaded, not
// when some hook first uses it.
func checkPlaceholders(job *yaml.Node, params []hookspec.Param, report func(*yaml.Node, string)) {
	sc := &subst.Scope{
		Hook:    map[string]string{"name": "x", "phase": "PreSync", "outcome": "started"},
		Env:     map[string]string{},
		OpenEnv: true,
		Params:  map[string]*subst.ParamValue{},
	}
	for _, p := range params {
		sc.Params[p.Name] = &subst.ParamValue{Typ: p.Type, Node: subst.StandIn(p.Type)}
	}
	s := &subst.Subster{Scope: sc}
	s.Tree(yamlio.CopyNode(job))
	for _, e := range s.Errs {
		report(e.Node, e.Msg)
	}
}

// CheckJobShape checks the parts of a JobSpec hookgen relies on.
func CheckJobShape(job *yaml.Node, report func(*yaml.Node, string)) {
	tmpl := yamlio.MapGet(job, "template")
	if tmpl == nil || tmpl.Kind != yaml.MappingNode {
		report(job, "template (the pod template) is missing")
		return
	}
	spec := yamlio.MapGet(tmpl, "spec")
	if spec == nil || spec.Kind != yaml.MappingNode {
		report(tmpl, "template.spec is missing")
		return
	}
	containers := yamlio.MapGet(spec, "containers")
	if containers == nil || containers.Kind != yaml.SequenceNode || len(containers.Content) == 0 {
		report(spec, "template.spec.containers must list at least one container")
		return
	}
	for _, key := range []string{"containers", "initContainers"} {
		list := yamlio.MapGet(spec, key)
		if list == nil {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			report(list, key+" must be a list")
			continue
		}
		for _, c := range list.Content {
			if c.Kind != yaml.MappingNode {
				report(c, key+" entries must be mappings")
			}
		}
	}
}

// PhaseNames lists the phases a hook may run in.
func PhaseNames() []string {
	s := make([]string, len(hookspec.Phases))
	for i, p := range hookspec.Phases {
		s[i] = string(p)
	}
	return s
}

// PolicyNames lists the delete policies.
func PolicyNames() []string {
	s := make([]string, len(hookspec.DeletePolicies))
	for i, p := range hookspec.DeletePolicies {
		s[i] = string(p)
	}
	return s
}

// PhaseList is PhaseNames for a message.
func PhaseList() string  { return strings.Join(PhaseNames(), ", ") }
func policyList() string { return strings.Join(PolicyNames(), ", ") }

func typeList() string {
	s := make([]string, len(hookspec.ParamTypes))
	for i, p := range hookspec.ParamTypes {
		s[i] = string(p)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// Clone returns a copy of the set that can take more templates.
func (ts Templates) Clone() Templates { return maps.Clone(ts) }
