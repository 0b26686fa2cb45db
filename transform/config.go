package transform

import (
	"io/fs"
	"maps"
	"reflect"
)

// Config is the sidecar's configuration directory: platform templates in
// templates/*.yaml or next to the policy (so that one ConfigMap mounted as
// the directory can hold everything), which replace built-in ones of the
// same name, and one HookPolicy in policy.yaml. A missing directory (nil fs.FS) means the
// built-in templates and the open policy; a broken file is a problem
// naming it, never skipped.
type Config struct {
	Templates Templates
	Policy    *HookPolicy
}

// LoadConfig reads a config directory. fsys may be nil.
func LoadConfig(fsys fs.FS, lim Limits) (*Config, error) {
	if lim == (Limits{}) {
		lim = DefaultLimits()
	}
	ps := &problems{}
	cfg := loadConfig(fsys, lim, ps, newOrigins())
	if err := ps.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// configPrefix marks paths in the config directory in messages.
const configPrefix = "config:"

func loadConfig(fsys fs.FS, lim Limits, ps *problems, o *origins) *Config {
	cfg := &Config{Policy: openPolicy()}
	ts, err := BuiltinTemplates()
	if err != nil {
		ps.add(Pos{}, "", "%v", err)
		ts = Templates{}
	}
	cfg.Templates = ts
	defer func() {
		// Problems found in a template's text name its file, with or
		// without a config directory.
		for _, t := range ts {
			t.mark(o)
		}
	}()
	if fsys == nil {
		return cfg
	}
	r := &reader{fsys: fsys, lim: lim, ps: ps, prefix: configPrefix}
	seen := map[string]*HookTemplate{}
	platform := append(readTemplateDir(r, ".", OriginPlatform, ps, PolicyFile), readTemplateDir(r, "templates", OriginPlatform, ps)...)
	for _, t := range platform {
		if old := seen[t.Metadata.Name]; old != nil {
			ps.add(t.src.pos, "", "platform template %q is also defined in %s", t.Metadata.Name, old.File())
			continue
		}
		seen[t.Metadata.Name] = t
		ts[t.Metadata.Name] = t
	}
	if data, ok := r.read(PolicyFile, false); ok {
		if p := parsePolicy(configPrefix+PolicyFile, data, lim, ps, o); p != nil {
			cfg.Policy = p
		}
	}
	return cfg
}

// clone returns a copy of the set that can take more templates.
func (ts Templates) clone() Templates { return maps.Clone(ts) }

// mark records the origin of the template's nodes.
func (t *HookTemplate) mark(o *origins) {
	o.mark(t.File(), t.Spec.Job)
	for _, p := range t.Spec.Params {
		o.mark(t.File(), p.Default)
	}
}

// injected returns the policy's injected hooks as the farthest HookSet.
func (cfg *Config) injected() *HookSet {
	set := &HookSet{src: source{pos: Pos{File: cfg.Policy.File()}}}
	for _, ih := range cfg.Policy.Spec.Inject {
		set.Hooks = append(set.Hooks, ih.Hook)
	}
	return set
}

// checkInjected refuses changes an application made to an injected hook
// that the policy does not allow.
func (cfg *Config) checkInjected(merged []*mergedHook, ps *problems) {
	byName := map[string]InjectedHook{}
	for _, ih := range cfg.Policy.Spec.Inject {
		byName[ih.Hook.Name] = ih
	}
	for _, h := range merged {
		ih, ok := byName[h.Name]
		if !ok {
			continue
		}
		if h.files[0] != cfg.Policy.File() {
			// A nearer declaration replaced the hook with its own template or job.
			ps.add(h.pos(), h.Name, "policy inject: the platform injects this hook; an application cannot redefine it")
			continue
		}
		for _, d := range h.decls[1:] {
			if d.Enabled != nil && !*d.Enabled && !ih.AllowDisable {
				ps.add(d.src.at("enabled"), h.Name, "policy inject: the platform injects this hook and does not let applications disable it")
			}
			if changesBeyondEnabled(d) && !ih.AllowOverride {
				ps.add(d.src.pos, h.Name, "policy inject: the platform injects this hook and does not let applications change it")
			}
		}
	}
}

// changesBeyondEnabled reports whether a declaration sets more than its
// name and enabled.
func changesBeyondEnabled(h *Hook) bool {
	c := *h
	c.Name, c.Enabled, c.src = "", nil, source{}
	return !reflect.ValueOf(c).IsZero()
}

// injects reports whether the hook is one the policy injects (and no
// application replaced).
func (p *HookPolicy) injects(h *mergedHook) bool {
	return p != nil && !p.open && len(h.files) > 0 && h.files[0] == p.File()
}
