package transform

import (
	"bytes"
	"io/fs"
	"reflect"
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/hookpolicy"
	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/manifest"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Config is the sidecar's configuration directory: platform templates in
// templates/*.yaml or next to the policy (so that one ConfigMap mounted as
// the directory can hold everything), which replace built-in ones of the
// same name, and one HookPolicy in policy.yaml. A missing directory (nil
// fs.FS) means the built-in templates and the open policy.
//
// The directory may hold other files: the kustomization that makes the
// ConfigMap, a README, a values file. hookgen reads only its own (see
// configFile) and lists the others in Skipped; a file of its own that is
// broken is a problem naming it, never skipped.
type Config struct {
	Templates Templates
	Policy    *HookPolicy
	// Skipped names each file of the directory that is not hookgen's, as
	// a note ("note: skipped, ...").
	Skipped Problems
}

// LoadConfig reads a config directory. fsys may be nil.
func LoadConfig(fsys fs.FS, lim Limits) (*Config, error) {
	if lim == (Limits{}) {
		lim = yamlio.DefaultLimits()
	}
	ps := &problem.Collector{}
	cfg := loadConfig(fsys, lim, ps, problem.NewOrigins(), true)
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// configPrefix marks paths in the config directory in messages.
const configPrefix = "config:"

// loadConfig reads a config directory; its templates are the built-in
// ones (withBuiltins) and the platform's, which replace them. A run adds
// the built-in templates its hooks use itself (addBuiltins).
func loadConfig(fsys fs.FS, lim Limits, ps *problem.Collector, o *problem.Origins, withBuiltins bool) *Config {
	cfg := &Config{Policy: hookpolicy.OpenPolicy(), Templates: Templates{}}
	if withBuiltins {
		ts, err := BuiltinTemplates()
		if err != nil {
			ps.Add(Pos{}, "", "%v", err)
			ts = Templates{}
		}
		cfg.Templates = ts
	}
	if fsys == nil {
		return cfg
	}
	r := &yamlio.Reader{FS: fsys, Limits: lim, Problems: ps, Prefix: configPrefix}
	seen := map[string]*HookTemplate{}
	platform := append(readTemplateDir(r, ".", OriginPlatform, ps, &cfg.Skipped, PolicyFile), readTemplateDir(r, "templates", OriginPlatform, ps, &cfg.Skipped)...)
	for _, t := range platform {
		if old := seen[t.Metadata.Name]; old != nil {
			ps.Add(t.Src.Pos, "", "platform template %q is also defined in %s", t.Metadata.Name, old.File())
			continue
		}
		seen[t.Metadata.Name] = t
		cfg.Templates[t.Metadata.Name] = t
	}
	if data, ok := r.Read(PolicyFile, false); ok {
		if p := hookpolicy.ParsePolicy(configPrefix+PolicyFile, data, lim, ps, o); p != nil {
			cfg.Policy = p
		}
	}
	return cfg
}

// configFile reports whether a YAML file of the config directory is
// hookgen's, and when it is not, what it is. A kustomization (by its name)
// is not; nor is a file whose every document names an apiVersion outside
// hookgen.dev, or only a kind that is not hookgen's. Anything else is
// hookgen's, and read strictly: a document with no apiVersion and no kind,
// a hookgen.dev document of the wrong kind, and a file that does not parse
// are problems, so a broken template is never silently left out.
func configFile(name string, data []byte, lim Limits) (string, bool) {
	if slices.Contains(manifest.KustomizationFiles, name) {
		return "kustomization", false
	}
	var what []string
	for _, c := range manifest.SplitDocuments(data) {
		if len(bytes.TrimSpace(c.Text)) == 0 {
			continue
		}
		info, ok := yamlio.ScanDoc(c.Text, lim)
		if !ok {
			var id struct {
				APIVersion any `yaml:"apiVersion"`
				Kind       any `yaml:"kind"`
			}
			var doc yaml.Node
			if yaml.Unmarshal(c.Text, &doc) != nil {
				return "", true
			}
			if len(doc.Content) == 0 || yamlio.IsNull(doc.Content[0]) {
				continue
			}
			if doc.Content[0].Kind != yaml.MappingNode || doc.Decode(&id) != nil {
				return "", true
			}
			info.APIVersion, _ = id.APIVersion.(string)
			info.Kind, _ = id.Kind.(string)
		}
		switch {
		case hookspec.IsHookgenKind(info.APIVersion):
			return "", true
		case info.APIVersion != "":
			what = append(what, strings.TrimSpace(info.APIVersion+" "+info.Kind))
		case info.Kind == "" || strings.HasPrefix(info.Kind, "Hook"):
			return "", true
		default:
			what = append(what, info.Kind)
		}
	}
	if len(what) == 0 {
		return "", true // empty: nothing to skip or to read
	}
	return strings.Join(slices.Compact(what), ", "), false
}

// injected returns the policy's injected hooks as the farthest HookSet.
func (cfg *Config) injected() *HookSet {
	set := &HookSet{Src: hookspec.Source{Pos: Pos{File: cfg.Policy.File()}}}
	for _, ih := range cfg.Policy.Spec.Inject {
		set.Hooks = append(set.Hooks, ih.Hook)
	}
	return set
}

// checkInjected refuses changes an application made to an injected hook
// that the policy does not allow.
func (cfg *Config) checkInjected(merged []*hookset.MergedHook, ps *problem.Collector) {
	byName := map[string]InjectedHook{}
	for _, ih := range cfg.Policy.Spec.Inject {
		byName[ih.Hook.Name] = ih
	}
	for _, h := range merged {
		ih, ok := byName[h.Name]
		if !ok {
			continue
		}
		if h.Files[0] != cfg.Policy.File() {
			// A nearer declaration replaced the hook with its own template or job.
			ps.Add(h.Pos(), h.Name, "policy inject: the platform injects this hook; an application cannot redefine it")
			continue
		}
		for _, d := range h.Decls[1:] {
			if d.Enabled != nil && !*d.Enabled && !ih.AllowDisable {
				ps.Add(d.Src.At("enabled"), h.Name, "policy inject: the platform injects this hook and does not let applications disable it")
			}
			if changesBeyondEnabled(d) && !ih.AllowOverride {
				ps.Add(d.Src.Pos, h.Name, "policy inject: the platform injects this hook and does not let applications change it")
			}
		}
	}
}

// changesBeyondEnabled reports whether a declaration sets more than its
// name and enabled.
func changesBeyondEnabled(h *Hook) bool {
	c := *h
	c.Name, c.Enabled, c.Src = "", nil, hookspec.Source{}
	return !reflect.ValueOf(c).IsZero()
}
