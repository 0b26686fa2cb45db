package transform

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
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
func kustomizationIn(r *reader, dir string) string {
	for _, k := range kustomizationFiles {
		if _, ok := r.stat(path.Join(dir, k)); ok {
			return path.Join(dir, k)
		}
	}
	return ""
}

// kustomizeBuild builds the kustomization in appDir and returns its
// resources and the namespace the kustomization sets ("" when none).
func kustomizeBuild(r *reader, appDir, file string, sel *Manifests, ps *problems) ([]*Manifest, string) {
	if sel != nil {
		ps.add(Pos{File: file}, "", "manifests: has no effect in a Kustomize application: %s decides which resources are built", path.Base(file))
	}
	fsys := &kustFS{r: r}
	in := &kustInspector{ps: ps, fsys: fsys, namespaces: map[string]string{}}
	fsys.inspect = in.inspect
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified // kustomize build without --reorder
	before := len(ps.list)
	kustomizeMu.Lock()
	rm, err := krusty.MakeKustomizer(opts).Run(fsys, virtual(appDir))
	kustomizeMu.Unlock()
	if err != nil {
		if len(ps.list) == before {
			ps.add(Pos{File: file}, "", "kustomize build: %s", strings.TrimSpace(err.Error()))
		}
		return nil, ""
	}
	if len(ps.list) > before {
		return nil, "" // a file kustomize tolerated missing was refused (limits)
	}
	var out []*Manifest
	for _, res := range rm.Resources() {
		m, err := kustomizeManifest(file, res)
		if err != nil {
			ps.add(Pos{File: file}, "", "kustomize build: %v", err)
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
	m := &Manifest{File: file, node: n, kres: res}
	m.APIVersion, m.Kind = res.GetApiVersion(), res.GetKind()
	m.Name, m.Namespace = res.GetName(), res.GetNamespace()
	if isHookgenKind(m.APIVersion) {
		return nil, nil // hookgen's own kinds are never output
	}
	stripReaderAnnotations(n)
	raw, err := res.AsYAML()
	if err != nil {
		return nil, err
	}
	m.raw = raw
	return m, nil
}

// render prints a kustomize resource again after hookgen changed it.
func (m *Manifest) render() error {
	raw, err := m.kres.AsYAML()
	if err != nil {
		return fmt.Errorf("%s %s: %w", m.Kind, m.Name, err)
	}
	m.raw = raw
	return nil
}

// kustInspector checks every file kustomize reads before kustomize acts
// on it, and refuses what would make kustomize fetch or run something:
// remote bases and files (kustomize would run git or an HTTP GET) and
// Helm charts (kustomize would run helm).
type kustInspector struct {
	ps   *problems
	fsys *kustFS
	// namespaces records the namespace field of each kustomization read.
	namespaces map[string]string
}

var errRemote = errors.New("refers to something outside the repository")

func (in *kustInspector) inspect(name string, data []byte) error {
	before := len(in.ps.list)
	if isKustomizationFile(name) {
		in.kustomization(name, data)
	} else if bytes.Contains(data, []byte("Generator")) || bytes.Contains(data, []byte("Transformer")) {
		in.pluginConfigs(name, data, 1)
	}
	if len(in.ps.list) > before {
		return errRemote
	}
	return nil
}

func isKustomizationFile(name string) bool {
	base := path.Base(name)
	for _, k := range kustomizationFiles {
		if base == k {
			return true
		}
	}
	return false
}

// kustomization checks one kustomization file.
func (in *kustInspector) kustomization(file string, data []byte) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return // kustomize reports what does not parse
	}
	k := doc.Content[0]
	if ns := mapGet(k, "namespace"); ns != nil && ns.Kind == yaml.ScalarNode {
		in.namespaces[file] = ns.Value
	}
	strs := func(field string) []*yaml.Node {
		v := mapGet(k, field)
		if v == nil || v.Kind != yaml.SequenceNode {
			return nil
		}
		var out []*yaml.Node
		for _, it := range v.Content {
			if it.Kind == yaml.ScalarNode {
				out = append(out, it)
			}
		}
		return out
	}
	// Entries kustomize may clone as git repositories or fetch over HTTP.
	for _, field := range []string{"resources", "bases", "components", "crds", "configurations", "generators", "transformers", "validators", "patchesStrategicMerge"} {
		mode := refFile
		switch field {
		case "resources", "generators", "transformers", "validators":
			mode = refResource
		case "bases", "components":
			mode = refDir
		}
		for _, it := range strs(field) {
			in.checkRef(file, field, it, mode)
		}
	}
	for _, field := range []string{"patches", "patchesJson6902", "replacements"} {
		if v := mapGet(k, field); v != nil && v.Kind == yaml.SequenceNode {
			for _, it := range v.Content {
				if p := mapGet(it, "path"); p != nil && p.Kind == yaml.ScalarNode {
					in.checkRef(file, field, p, refFile)
				}
			}
		}
	}
	if p := mapPath(k, "openapi", "path"); p != nil && p.Kind == yaml.ScalarNode {
		in.checkRef(file, "openapi", p, refFile)
	}
	for _, field := range []string{"configMapGenerator", "secretGenerator"} {
		if v := mapGet(k, field); v != nil && v.Kind == yaml.SequenceNode {
			for _, g := range v.Content {
				in.generatorSources(file, field, g)
			}
		}
	}
	for _, field := range []string{"helmCharts", "helmChartInflationGenerator", "helmGlobals"} {
		if v := mapGet(k, field); v != nil && !isNull(v) {
			in.ps.add(Pos{File: file, Line: keyLine(k, field)}, "", "%s: hookgen does not render Helm charts (kustomize build would need --enable-helm): render the chart into the repository, or keep it a Helm source of the Application and add hookgen as a second, hooks-only source", field)
		}
	}
	// Inline generators and transformers are plugin configurations.
	for _, field := range []string{"generators", "transformers", "validators"} {
		for _, it := range strs(field) {
			if strings.Contains(it.Value, "\n") {
				line := it.Line
				if it.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
					line++ // a block scalar's text starts below its indicator
				}
				in.pluginConfigs(file, []byte(it.Value), line)
			}
		}
	}
}

// generatorSources checks a ConfigMap or Secret generator's files.
func (in *kustInspector) generatorSources(file, field string, g *yaml.Node) {
	for _, key := range []string{"files", "envs"} {
		if l := mapGet(g, key); l != nil && l.Kind == yaml.SequenceNode {
			for _, it := range l.Content {
				if it.Kind != yaml.ScalarNode {
					continue
				}
				// "key=path" or "path"
				_, p, ok := strings.Cut(it.Value, "=")
				if !ok {
					p = it.Value
				}
				if isRemoteFile(p) || isRemoteFile(it.Value) {
					in.remote(file, field, it, it.Value)
				}
			}
		}
	}
	if e := mapGet(g, "env"); e != nil && e.Kind == yaml.ScalarNode && isRemoteFile(e.Value) {
		in.remote(file, field, e, e.Value)
	}
}

// fileReadingPlugins are the builtin plugins that read files, with the
// fields that name them.
var fileReadingPlugins = map[string][]string{
	"ConfigMapGenerator":             nil,
	"SecretGenerator":                nil,
	"PatchTransformer":               {"path"},
	"PatchJson6902Transformer":       {"path"},
	"PatchStrategicMergeTransformer": {"paths"},
	"ReplacementTransformer":         nil,
	"HelmChartInflationGenerator":    nil,
}

// pluginConfigs checks the builtin plugin configurations in a file a
// kustomization lists under generators, transformers or validators
// (line 1), or inline in a kustomization (the line its text starts on).
func (in *kustInspector) pluginConfigs(file string, data []byte, line int) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if dec.Decode(&doc) != nil {
			return
		}
		if len(doc.Content) == 0 {
			continue
		}
		kind := mapGet(doc.Content[0], "kind")
		if kind == nil {
			continue
		}
		fields, ok := fileReadingPlugins[kind.Value]
		if !ok {
			continue
		}
		// Lines of the file, not of the text.
		n := shiftTree(doc.Content[0], line-1)
		switch kind.Value {
		case "HelmChartInflationGenerator":
			in.ps.add(Pos{File: file, Line: n.Line}, "", "HelmChartInflationGenerator: hookgen does not render Helm charts (kustomize build would need --enable-helm): render the chart into the repository, or keep it a Helm source of the Application and add hookgen as a second, hooks-only source")
		case "ConfigMapGenerator", "SecretGenerator":
			in.generatorSources(file, kind.Value, n)
		case "ReplacementTransformer":
			if l := mapGet(n, "replacements"); l != nil && l.Kind == yaml.SequenceNode {
				for _, it := range l.Content {
					if p := mapGet(it, "path"); p != nil && p.Kind == yaml.ScalarNode {
						in.checkRef(file, kind.Value, p, refFile)
					}
				}
			}
		}
		for _, f := range fields {
			v := mapGet(n, f)
			switch {
			case v == nil:
			case v.Kind == yaml.ScalarNode:
				in.checkRef(file, kind.Value, v, refFile)
			case v.Kind == yaml.SequenceNode:
				for _, it := range v.Content {
					if it.Kind == yaml.ScalarNode {
						in.checkRef(file, kind.Value, it, refFile)
					}
				}
			}
		}
	}
}

// shiftTree returns a copy of n whose lines are moved by d.
func shiftTree(n *yaml.Node, d int) *yaml.Node {
	if d == 0 {
		return n
	}
	c := *n
	c.Line += d
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = shiftTree(k, d)
	}
	return &c
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
func (in *kustInspector) checkRef(file, field string, n *yaml.Node, mode refMode) {
	v := n.Value
	if strings.Contains(v, "\n") {
		return // an inline patch or plugin configuration
	}
	remote := isRemoteFile(v)
	switch mode {
	case refResource:
		// kustomize tries a file first: a file of the repository named
		// like a URL is a file.
		if !remote && isGitURL(v) {
			fi, err := in.fsys.stat(path.Join(virtual(path.Dir(file)), v))
			remote = err != nil || fi.IsDir()
		}
	case refDir:
		remote = remote || isGitURL(v)
	}
	if remote {
		in.remote(file, field, n, v)
	}
}

func (in *kustInspector) remote(file, field string, n *yaml.Node, v string) {
	in.ps.add(Pos{File: file, Line: n.Line}, "", "%s: %q is outside the repository; hookgen does not fetch remote bases or files: vendor it into the repository, or keep the app a Kustomize source of the Application and add hookgen as a second, hooks-only source", field, clip(v, 200))
}

// keyLine returns the line of key in mapping m.
func keyLine(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return m.Line
}

// isRemoteFile mirrors kustomize's loader: a URL it would GET.
func isRemoteFile(p string) bool {
	u, err := url.Parse(p)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

var gitUserRE = lazyRE(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// isGitURL reports whether kustomize could take p for a git repository
// to clone: everything its repository spec parser may accept (a scheme,
// an scp-like user@host:path, a github.com path; "git::" prefixed or not),
// and a little more (git://): refusing a directory named like a URL is
// better than running git.
func isGitURL(p string) bool {
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

// followNamespace puts the Jobs that name no namespace of their own into
// the namespace a kustomization sets for the application's resources.
func followNamespace(jobs []*Job, ns string) {
	if ns == "" {
		return
	}
	for _, j := range jobs {
		if j.Namespace != "" || j.injected != nil {
			continue // a platform hook stays as the platform wrote it
		}
		j.Namespace, j.movedBy = ns, "the kustomization's namespace"
		meta := mapGet(j.Node, "metadata")
		if meta == nil {
			continue
		}
		// After the name, where a namespace the hook names is written.
		at := 2
		if len(meta.Content) < at {
			at = len(meta.Content)
		}
		meta.Content = slices.Insert(meta.Content, at, newStr("namespace"), newStr(ns))
	}
}
