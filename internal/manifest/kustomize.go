package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/jobgen"
	"github.com/hookgen/hookgen/internal/lazyre"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// A Kustomize application is built in-process with kustomize's own
// library, the way Argo CD builds one: `kustomize build <dir>` with no
// flags. That is:
//
//   - the load restrictor is kustomize's default, rootOnly: a
//     kustomization reads files only in and below its own directory, and
//     reaches other directories only as bases or components. The file
//     system kustomize sees is the repository (kustFS), so no base, file
//     or symlink outside the repository can be reached either;
//   - the output order is kustomize build's: the legacy kind order, unless
//     the kustomization sets sortOptions;
//   - plugins are builtins only: no exec, Go or container functions, and
//     no Helm (kustomize build needs --enable-helm for helmCharts);
//   - remote bases and remote files are refused with a problem naming the
//     URL: hookgen never fetches anything.
//
// The output is byte for byte what `kustomize build` prints, hooks
// appended; only documents hookgen changes (annotate rules, reader
// annotations) are printed again, through kustomize's own encoder.

// kustomizeMu serializes builds: kustomize keeps the OpenAPI schema a
// kustomization selects in a package variable.
var kustomizeMu sync.Mutex

// kustomizationIn returns the kustomization file of dir ("" when there is
// none).
func kustomizationIn(r *yamlio.Reader, dir string) string {
	for _, k := range KustomizationFiles {
		if _, ok := r.Stat(path.Join(dir, k)); ok {
			return path.Join(dir, k)
		}
	}
	return ""
}

// kustomizeBuild builds the kustomization in appDir and returns its
// resources and the namespace the kustomization sets ("" when none).
func kustomizeBuild(r *yamlio.Reader, appDir, file string, sel *hookspec.Manifests, ps *problem.Collector) ([]*Manifest, string) {
	if sel != nil {
		ps.Add(problem.Pos{File: file}, "", "manifests: has no effect in a Kustomize application: %s decides which resources are built", path.Base(file))
	}
	fsys := &kustFS{r: r}
	in := &kustInspector{ps: ps, fsys: fsys, namespaces: map[string]string{}}
	fsys.inspect = in.inspect
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified // kustomize build without --reorder
	before := len(ps.List)
	kustomizeMu.Lock()
	rm, err := krusty.MakeKustomizer(opts).Run(fsys, virtual(appDir))
	kustomizeMu.Unlock()
	if err != nil {
		if len(ps.List) == before && !diagnoseKustomize(r, file, ps) {
			ps.Add(problem.Pos{File: file}, "", "kustomize build: %s", kustomizeMessage(err))
		}
		return nil, ""
	}
	if len(ps.List) > before {
		return nil, "" // a file kustomize tolerated missing was refused (limits)
	}
	var out []*Manifest
	for _, res := range rm.Resources() {
		m, err := kustomizeManifest(file, res)
		if err != nil {
			ps.Add(problem.Pos{File: file}, "", "kustomize build: %v", err)
			continue
		}
		if m != nil {
			out = append(out, m)
		}
	}
	return out, in.namespaces[file]
}

// kustomizeManifest turns one built resource into a Manifest, printed as
// kustomize prints it.
func kustomizeManifest(file string, res *resource.Resource) (*Manifest, error) {
	n := res.YNode()
	m := &Manifest{File: file, Tree: n, Kres: res}
	m.APIVersion, m.Kind = res.GetApiVersion(), res.GetKind()
	m.Name, m.Namespace = res.GetName(), res.GetNamespace()
	if hookspec.IsHookgenKind(m.APIVersion) {
		return nil, nil // hookgen's own kinds are never output
	}
	stripReaderAnnotations(n)
	raw, err := res.AsYAML()
	if err != nil {
		return nil, err
	}
	m.Raw = raw
	return m, nil
}

// render prints a kustomize resource again after hookgen changed it.
func (m *Manifest) render() error {
	raw, err := m.Kres.AsYAML()
	if err != nil {
		return fmt.Errorf("%s %s: %w", m.Kind, m.Name, err)
	}
	m.Raw = raw
	return nil
}

// kustInspector checks every file kustomize reads before kustomize acts
// on it, and refuses what would make kustomize fetch or run something:
// remote bases and files (kustomize would run git or an HTTP GET) and
// Helm charts (kustomize would run helm).
//
// It reads each file as kustomize decodes it, never as text: a
// kustomization through kustomize's own types (aliases, merge keys,
// JSON's case-insensitive field names, deprecated fields moved), plugin
// configurations through kustomize's resource factory (escapes, aliases,
// List items). A spelling it still missed would meet the process's own
// guard: the front end runs generation with no network and no programs.
type kustInspector struct {
	ps   *problem.Collector
	fsys *kustFS
	// namespaces records the namespace field of each kustomization read.
	namespaces map[string]string
}

var errRemote = errors.New("refers to something outside the repository")

// kustResources decodes resources the way kustomize does.
var kustResources = provider.NewDefaultDepProvider().GetResourceFactory()

func (in *kustInspector) inspect(name string, data []byte) error {
	before := len(in.ps.List)
	in.aliases(name, data)
	if len(in.ps.List) > before {
		return errRemote
	}
	if isKustomizationFile(name) {
		in.kustomization(name, data)
	} else if mayHoldPluginConfig(data) {
		in.pluginConfigs(name, data, nil)
	}
	if len(in.ps.List) > before {
		return errRemote
	}
	return nil
}

// aliases budgets what the YAML aliases of a file kustomize reads expand
// to: kustomize expands every alias of every resource, so the run's
// alias budget holds for a Kustomize application as for plain manifests.
// An alias needs an anchor: a file without both "&" and "*" has none.
func (in *kustInspector) aliases(name string, data []byte) {
	if bytes.IndexByte(data, '&') < 0 || bytes.IndexByte(data, '*') < 0 {
		return
	}
	r := in.fsys.r
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for docs := 0; docs <= r.Limits.MaxDocuments; docs++ {
		var doc yaml.Node
		if dec.Decode(&doc) != nil {
			return // kustomize reports what does not parse
		}
		if len(doc.Content) == 0 {
			continue
		}
		if _, ok := yamlio.CheckExpansion(name, doc.Content[0], r.Limits.ManifestBudget(&r.Aliases), in.ps); !ok {
			return
		}
	}
}

// mayHoldPluginConfig reports whether a file may decode to a builtin
// plugin configuration that reads files. Each such kind ends in
// "Generator" or "Transformer"; YAML can spell a kind without that text
// only through an escape (a backslash, in a double-quoted scalar or a
// JSON string) or another encoding (UTF-16 or UTF-32: a byte order mark
// or NUL bytes). An alias repeats text that is spelled somewhere.
func mayHoldPluginConfig(data []byte) bool {
	return bytes.Contains(data, []byte("Generator")) || bytes.Contains(data, []byte("Transformer")) ||
		bytes.ContainsAny(data, "\\\x00") || bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe})
}

func isKustomizationFile(name string) bool {
	base := path.Base(name)
	for _, k := range KustomizationFiles {
		if base == k {
			return true
		}
	}
	return false
}

// kustomization checks one kustomization file, decoded as kustomize
// decodes it.
func (in *kustInspector) kustomization(file string, data []byte) {
	var k types.Kustomization
	if k.Unmarshal(data) != nil {
		return // kustomize reports what does not decode
	}
	// Read as written, before kustomize moves deprecated fields (bases
	// into resources), so that messages name the field the file uses.
	in.namespaces[file] = k.Namespace
	lines := newLineFinder(data)
	ref := func(field, v string, mode refMode) {
		in.checkRef(file, field, v, lines, mode)
	}
	// Entries kustomize may clone as git repositories or fetch over HTTP.
	for _, v := range k.Resources {
		ref("resources", v, refResource)
	}
	for _, v := range k.Bases {
		ref("bases", v, refDir)
	}
	for _, v := range k.Components {
		ref("components", v, refDir)
	}
	for _, v := range k.Crds {
		ref("crds", v, refFile)
	}
	for _, v := range k.Configurations {
		ref("configurations", v, refFile)
	}
	for _, v := range k.PatchesStrategicMerge {
		ref("patchesStrategicMerge", string(v), refFile)
	}
	for _, p := range k.Patches {
		ref("patches", p.Path, refFile)
	}
	for _, p := range k.PatchesJson6902 {
		ref("patchesJson6902", p.Path, refFile)
	}
	for _, r := range k.Replacements {
		ref("replacements", r.Path, refFile)
	}
	ref("openapi", k.OpenAPI["path"], refFile)
	for _, g := range k.ConfigMapGenerator {
		in.generatorSources(file, "configMapGenerator", g.KvPairSources, lines)
	}
	for _, g := range k.SecretGenerator {
		in.generatorSources(file, "secretGenerator", g.KvPairSources, lines)
	}
	helm := ""
	switch {
	case len(k.HelmCharts) > 0:
		helm = "helmCharts"
	case len(k.HelmChartInflationGenerator) > 0:
		helm = "helmChartInflationGenerator"
	case k.HelmGlobals != nil:
		helm = "helmGlobals"
	}
	if helm != "" {
		in.ps.Add(problem.Pos{File: file, Line: lines.key(helm)}, "", "%s: %s", helm, helmRefused)
	}
	// Generators, transformers and validators are plugin configurations
	// written inline, or files and directories that hold them.
	for field, list := range map[string][]string{"generators": k.Generators, "transformers": k.Transformers, "validators": k.Validators} {
		for _, v := range list {
			if in.pluginConfigs(file, []byte(v), lines) {
				continue
			}
			ref(field, v, refResource)
		}
	}
}

const helmRefused = "hookgen does not render Helm charts (kustomize build would need --enable-helm): render the chart into the repository, or keep it a Helm source of the Application and add hookgen as a second, hooks-only source"

// generatorSources checks a ConfigMap or Secret generator's files.
func (in *kustInspector) generatorSources(file, field string, src types.KvPairSources, lines *lineFinder) {
	for _, v := range append(slices.Clone(src.FileSources), src.EnvSources...) {
		// "key=path" or "path"
		_, p, ok := strings.Cut(v, "=")
		if !ok {
			p = v
		}
		if isRemoteFile(p) || isRemoteFile(v) {
			in.remote(file, field, v, lines)
		}
	}
	if isRemoteFile(src.EnvSource) {
		in.remote(file, field, src.EnvSource, lines)
	}
}

// pluginConfig holds the fields of the builtin plugins that read files,
// decoded as kustomize decodes a plugin's configuration (JSON field
// names, matched without regard to case).
type pluginConfig struct {
	types.KvPairSources
	Path         string                      `json:"path"`
	Paths        []types.PatchStrategicMerge `json:"paths"`
	Replacements []types.ReplacementField    `json:"replacements"`
}

// pluginConfigs checks the builtin plugin configurations in data: a file
// a kustomization lists under generators, transformers or validators, or
// an entry of those lists (lines is the kustomization's). It reports
// whether data holds resources at all (an entry that does not is a path).
func (in *kustInspector) pluginConfigs(file string, data []byte, lines *lineFinder) bool {
	res, err := kustResources.SliceFromBytes(data)
	if err != nil {
		return false
	}
	if lines == nil {
		lines = newLineFinder(data)
	}
	for _, r := range res {
		kind := r.GetKind()
		if kind == "HelmChartInflationGenerator" {
			in.ps.Add(problem.Pos{File: file, Line: lines.value(kind)}, "", "%s: %s", kind, helmRefused)
			continue
		}
		if !fileReadingPlugins[kind] {
			continue
		}
		j, err := r.MarshalJSON()
		if err != nil {
			continue
		}
		var c pluginConfig
		if json.Unmarshal(j, &c) != nil {
			continue // kustomize reports a configuration it cannot read
		}
		in.generatorSources(file, kind, c.KvPairSources, lines)
		in.checkRef(file, kind, c.Path, lines, refFile)
		for _, p := range c.Paths {
			in.checkRef(file, kind, string(p), lines, refFile)
		}
		for _, p := range c.Replacements {
			in.checkRef(file, kind, p.Path, lines, refFile)
		}
	}
	return len(res) > 0
}

// fileReadingPlugins are the builtin plugins that read files.
var fileReadingPlugins = map[string]bool{
	"ConfigMapGenerator":             true,
	"SecretGenerator":                true,
	"PatchTransformer":               true,
	"PatchJson6902Transformer":       true,
	"PatchStrategicMergeTransformer": true,
	"ReplacementTransformer":         true,
}

// How kustomize loads a reference.
type refMode int

const (
	refFile     refMode = iota // a file (patches, generator sources): a URL is fetched
	refResource                // a file if there is one, else a directory or git repository
	refDir                     // a directory or git repository (bases, components)
)

// checkRef reports a reference kustomize would fetch: a URL it would GET,
// or a git repository it would clone.
func (in *kustInspector) checkRef(file, field, v string, lines *lineFinder, mode refMode) {
	if v == "" || strings.Contains(v, "\n") {
		return // none, or an inline patch
	}
	remote := isRemoteFile(v)
	switch mode {
	case refResource:
		// kustomize tries a file first: a file of the repository named
		// like a URL is a file.
		if !remote && IsGitURL(v) {
			fi, err := in.fsys.stat(path.Join(virtual(path.Dir(file)), v))
			remote = err != nil || fi.IsDir()
		}
	case refDir:
		remote = remote || IsGitURL(v)
	}
	if remote {
		in.remote(file, field, v, lines)
	}
}

func (in *kustInspector) remote(file, field, v string, lines *lineFinder) {
	in.ps.Add(problem.Pos{File: file, Line: lines.value(v)}, "", "%s: %q is outside the repository; hookgen does not fetch remote bases or files: vendor it into the repository, or keep the app a Kustomize source of the Application and add hookgen as a second, hooks-only source", field, subst.Clip(v, 200))
}

// isRemoteFile mirrors kustomize's loader: a URL it would GET.
func isRemoteFile(p string) bool {
	u, err := url.Parse(p)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

var gitUserRE = lazyre.New(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// IsGitURL reports whether kustomize could take p for a git repository
// to clone: everything its repository spec parser may accept (a scheme,
// an scp-like user@host:path, a github.com path; "git::" prefixed or not),
// and a little more (git://): refusing a directory named like a URL is
// better than running git.
func IsGitURL(p string) bool {
	if len(p) >= 5 && strings.EqualFold(p[:5], "git::") {
		p = p[5:]
	}
	lower := strings.ToLower(p)
	for _, prefix := range []string{"ssh://", "https://", "http://", "file://", "git://", "github.com/", "github.com:"} {
		if strings.HasPrefix(lower, prefix) {
			return true
		}
	}
	return gitUserRE.MatchString(p)
}

// FollowNamespace puts the Jobs that name no namespace of their own into
// the namespace a kustomization sets for the application's resources.
func FollowNamespace(jobs []*jobgen.Job, ns string) {
	if ns == "" {
		return
	}
	for _, j := range jobs {
		if j.Namespace != "" || j.Injected != nil {
			continue // a platform hook stays as the platform wrote it
		}
		j.Namespace, j.MovedBy = ns, "the kustomization's namespace"
		meta := yamlio.MapGet(j.Node, "metadata")
		if meta == nil {
			continue
		}
		// After the name, where a namespace the hook names is written.
		at := 2
		if len(meta.Content) < at {
			at = len(meta.Content)
		}
		meta.Content = slices.Insert(meta.Content, at, yamlio.NewStr("namespace"), yamlio.NewStr(ns))
	}
}
