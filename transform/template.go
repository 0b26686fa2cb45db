package transform

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

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

//go:embed templates/*.yaml
var builtinFS embed.FS

// Templates is a set of HookTemplates by name.
type Templates map[string]*hookspec.HookTemplate

// Names returns the template names, sorted.
func (ts Templates) Names() []string { return subst.SortedKeys(ts) }

var builtins = sync.OnceValues(loadBuiltins)

// BuiltinTemplates returns the templates embedded in the binary. The
// templates are shared: callers must not change them.
func BuiltinTemplates() (Templates, error) {
	ts, err := builtins()
	if err != nil {
		return nil, err
	}
	return maps.Clone(ts), nil
}

func loadBuiltins() (Templates, error) {
	var ps problem.Collector
	ts := Templates{}
	files, err := fs.Glob(builtinFS, "templates/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list built-in templates: %w", err)
	}
	cached, _ := decodeNodeFiles(builtinNodes) // parsed ahead of time (nodecache.go)
	for _, f := range files {
		data, err := builtinFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read built-in template %s: %w", f, err)
		}
		file := "builtin:" + path.Base(f)
		docs, check := cached[file].docs, false // TestBuiltinNodes checked these
		if c, ok := cached[file]; !ok || c.hash != textHash(data) {
			docs, check = yamlio.ParseStream(file, data, yamlio.DefaultLimits(), &ps), true // changed since: parse its YAML
		}
		for _, t := range templatesOf(file, docs, OriginBuiltin, check, &ps) {
			if _, dup := ts[t.Metadata.Name]; dup {
				ps.Add(t.Src.Pos, "", "built-in template %q defined twice", t.Metadata.Name)
			}
			ts[t.Metadata.Name] = t
		}
	}
	if err := ps.Err(); err != nil {
		return nil, fmt.Errorf("built-in templates: %w", err)
	}
	return ts, nil
}

// DNSLabelPattern is the regular expression a DNS-1123 label matches (the
// names of hooks and templates), up to its 63 characters; the JSON Schemas
// carry it.
const DNSLabelPattern = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`

var (
	dnsLabelRE  = lazyre.New(DNSLabelPattern)
	paramNameRE = lazyre.New(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// isDNSLabel reports whether s is a DNS-1123 label (names of hooks,
// namespaces, containers).
func isDNSLabel(s string) bool { return len(s) <= 63 && dnsLabelRE.MatchString(s) }

// isDNSSubdomain reports whether s is a DNS-1123 subdomain (names of
// Secrets, ServiceAccounts, ConfigMaps).
func isDNSSubdomain(s string) bool {
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

// parseTemplates reads every HookTemplate document of a file and checks it.
func parseTemplates(file string, data []byte, origin string, lim yamlio.Limits, ps *problem.Collector) []*hookspec.HookTemplate {
	return templatesOf(file, yamlio.ParseStream(file, data, lim, ps), origin, true, ps)
}

// templatesOf decodes the parsed documents of a template file, and checks
// them unless they are built-in templates a test has checked.
func templatesOf(file string, docs []*yaml.Node, origin string, check bool, ps *problem.Collector) []*hookspec.HookTemplate {
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
	if !isDNSLabel(name) {
		ps.Add(at("metadata"), "", "template name %q must be a DNS-1123 label (lowercase letters, digits, '-')", name)
	}
	s := &t.Spec
	for _, ph := range s.Phases {
		if _, ok := hookspec.ParsePhase(ph); !ok {
			ps.Add(s.Src.At("phases"), "", "template %q: unknown phase %q (phases: %s)", name, ph, phaseList())
		}
	}
	if d := s.Defaults; d != nil {
		for _, ph := range d.Phase {
			p, ok := hookspec.ParsePhase(ph)
			switch {
			case !ok:
				ps.Add(d.Src.At("phase"), "", "template %q: unknown default phase %q (phases: %s)", name, ph, phaseList())
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
			if msg := checkParamValue(p.Type, p.Default); msg != "" {
				ps.Add(p.Src.At("default"), "", "template %q: default of parameter %q %s", name, p.Name, msg)
			}
		}
	}
	if s.Job == nil || s.Job.Kind != yaml.MappingNode {
		ps.Add(s.Src.Pos, "", "template %q: spec.job must be a batch/v1 JobSpec (a mapping)", name)
	} else {
		checkJobShape(s.Job, func(n *yaml.Node, msg string) {
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

// checkJobShape checks the parts of a JobSpec hookgen relies on.
func checkJobShape(job *yaml.Node, report func(*yaml.Node, string)) {
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

func phaseNames() []string {
	s := make([]string, len(hookspec.Phases))
	for i, p := range hookspec.Phases {
		s[i] = string(p)
	}
	return s
}

func policyNames() []string {
	s := make([]string, len(hookspec.DeletePolicies))
	for i, p := range hookspec.DeletePolicies {
		s[i] = string(p)
	}
	return s
}

func phaseList() string  { return strings.Join(phaseNames(), ", ") }
func policyList() string { return strings.Join(policyNames(), ", ") }

func typeList() string {
	s := make([]string, len(hookspec.ParamTypes))
	for i, p := range hookspec.ParamTypes {
		s[i] = string(p)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
