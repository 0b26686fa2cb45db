package transform

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// An Application tunes its hooks through the plugin's parameters (Argo CD's
// ARGOCD_APP_PARAMETERS): it can turn hooks off or on and override a hook's
// template parameters. The overrides are the nearest declaration of all:
// they win over every hookgen.yaml, and the policy still applies after them.

// maxParamValue bounds one parameter value.
const maxParamValue = 64 << 10

// Overrides are the parameters an Application sets.
type Overrides struct {
	// Disable turns hooks off by name.
	Disable []string
	// Enable turns on hooks declared with enabled: false.
	Enable []string
	// With overrides template parameters: hook name -> parameter -> value.
	// A value is text; for a list, map, int, bool or secretKeyRef parameter
	// it is read as YAML ("[a, b]", "{secret: s, key: k}").
	With map[string]map[string]string
}

func (o Overrides) Empty() bool {
	return len(o.Disable) == 0 && len(o.Enable) == 0 && len(o.With) == 0
}

// Announcement is a parameter as Argo CD's UI shows it
// (reposerver/apiclient.ParameterAnnouncement).
type Announcement struct {
	Name           string            `json:"name"`
	Title          string            `json:"title,omitempty"`
	Tooltip        string            `json:"tooltip,omitempty"`
	Required       bool              `json:"required,omitempty"`
	ItemType       string            `json:"itemType,omitempty"`
	CollectionType string            `json:"collectionType,omitempty"`
	String         *string           `json:"string,omitempty"`
	Array          []string          `json:"array,omitempty"`
	Map            map[string]string `json:"map,omitempty"`
}

// StaticParameters are the parameters every hookgen Application has; the
// plugin's plugin.yaml announces them and the docs list them.
var StaticParameters = []Announcement{
	{Name: ParamDisable, Title: "Disable hooks", Tooltip: "Names of hooks to turn off for this Application.", ItemType: "string", CollectionType: "array", Array: []string{}},
	{Name: ParamEnable, Title: "Enable hooks", Tooltip: "Names of hooks declared with enabled: false to turn on for this Application.", ItemType: "string", CollectionType: "array", Array: []string{}},
}

// HookParameter describes the per-hook parameter in docs.
const HookParameter = "hook.<name>: a map that overrides the hook's template parameters (with), one entry per parameter"

// overrideSet turns overrides into the nearest HookSet, after checking that
// they name declared hooks.
func overrideSet(ov Overrides, sets []*HookSet, ps *problem.Collector, fromParams map[*yaml.Node]bool) *HookSet {
	declared := map[string]bool{}
	for _, s := range sets {
		for _, h := range s.Hooks {
			declared[h.Name] = true
		}
	}
	pos := Pos{File: ParametersFile}
	set := &HookSet{Src: hookspec.Source{Pos: pos}}
	byName := map[string]*Hook{}
	get := func(param, name string) *Hook {
		if !declared[name] {
			names := subst.SortedKeys(declared)
			ps.Add(pos, "", "parameter %s names hook %q, which no %s declares%s", param, name, SpecFile, hookspec.Suggest(name, names))
			return nil
		}
		h := byName[name]
		if h == nil {
			h = &Hook{Name: name, Src: hookspec.Source{Pos: pos, Fields: map[string]Pos{}}}
			byName[name] = h
		}
		return h
	}
	for _, name := range ov.Enable {
		if h := get(ParamEnable, name); h != nil {
			t := true
			h.Enabled = &t
			h.Src.Fields["enabled"] = pos
		}
	}
	for _, name := range ov.Disable {
		if slices.Contains(ov.Enable, name) {
			ps.Add(pos, name, "both parameters %s and %s name the hook", ParamEnable, ParamDisable)
			continue
		}
		if h := get(ParamDisable, name); h != nil {
			f := false
			h.Enabled = &f
			h.Src.Fields["enabled"] = pos
		}
	}
	for _, name := range subst.SortedKeys(ov.With) {
		h := get(ParamHookPrefix+name, name)
		if h == nil {
			continue
		}
		with := yamlio.NewMap()
		for _, key := range subst.SortedKeys(ov.With[name]) {
			v := ov.With[name][key]
			if len(v) > maxParamValue {
				ps.Add(pos, name, "parameter %s%s: the value of %q is over %d bytes", ParamHookPrefix, name, key, maxParamValue)
				continue
			}
			n := yamlio.NewStr(v)
			fromParams[n] = true
			with.Content = append(with.Content, yamlio.NewStr(key), n)
		}
		h.With = with
		h.Src.Fields["with"] = pos
	}
	// Keep a stable order: by hook name.
	set.Hooks = set.Hooks[:0]
	for _, name := range subst.SortedKeys(byName) {
		set.Hooks = append(set.Hooks, *byName[name])
	}
	return set
}

// Announce lists the parameters Argo CD's UI offers for the application
// in in.AppDir: one map per hook with a template, holding the hook's
// current parameters. It reads the declarations only, so it works with the
// reduced environment Argo CD gives parameter announcements.
func Announce(in Input) ([]Announcement, error) {
	st, err := load(in)
	if err != nil {
		return nil, err
	}
	var out []Announcement
	for _, h := range st.merged {
		tmpl := st.templates[h.Uses]
		if h.Job != nil || tmpl == nil || len(tmpl.Spec.Params) == 0 {
			continue
		}
		values := map[string]string{}
		var names []string
		for _, p := range tmpl.Spec.Params {
			names = append(names, p.Name)
			v := yamlio.MapGet(h.With, p.Name)
			if v == nil {
				v = p.Default
			}
			if v != nil {
				values[p.Name] = hookspec.ParamText(v)
			}
		}
		state := ""
		if h.Enabled != nil && !*h.Enabled {
			state = ", off unless enabled"
		}
		out = append(out, Announcement{
			Name:           ParamHookPrefix + h.Name,
			Title:          fmt.Sprintf("%s (%s%s)", h.Name, tmpl.Metadata.Name, state),
			Tooltip:        fmt.Sprintf("Parameters of hook %s, template %s: %s.", h.Name, tmpl.Metadata.Name, strings.Join(names, ", ")),
			ItemType:       "string",
			CollectionType: "map",
			Map:            values,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
