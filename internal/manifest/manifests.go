package manifest

import (
	"bytes"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/hookgen/hookgen/internal/argoglob"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Manifest is one of the application's own resources. It is printed as it
// was written (comments and formatting included) unless hookgen had to
// change it.
type Manifest struct {
	File       string // path relative to the repository root
	Line       int    // first line of the document
	APIVersion string
	Kind       string
	Name       string
	Namespace  string

	Raw  []byte             // the document's text, ending in a newline; nil when node must be encoded
	Tree *yaml.Node         // the parsed document
	Kres *resource.Resource // the resource kustomize built, for a Kustomize application
}

// Node returns the parsed resource. A document printed as written is
// parsed again here: a run keeps no tree it does not need.
func (m *Manifest) Node() *yaml.Node {
	if m.Tree == nil && m.Raw != nil {
		var doc yaml.Node
		if yaml.Unmarshal(m.Raw, &doc) == nil && len(doc.Content) > 0 {
			m.Tree = yamlio.CopyNode(doc.Content[0]) // alias-free, as when it was read
		}
	}
	return m.Tree
}

// kustomization and chart files change how a directory is built.
var (
	KustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
	chartFile          = "Chart.yaml"
)

// AppManifests returns the application's own resources: the build of its
// kustomization, or its plain manifest files. For a kustomization that
// sets a namespace, it returns that namespace too. keep asks for the
// parsed tree of every resource (annotate rules look into them);
// otherwise a document printed as written keeps only its text.
func AppManifests(r *yamlio.Reader, appDir string, sel *hookspec.Manifests, keep bool, ps *problem.Collector) ([]*Manifest, string) {
	if file := kustomizationIn(r, appDir); file != "" {
		return kustomizeBuild(r, appDir, file, sel, ps)
	}
	return readManifests(r, appDir, sel, keep, ps), ""
}

// readManifests reads the application's own resources from the app
// directory the way Argo CD's directory source walks it (findManifests,
// getPotentiallyValidManifests): files named *.yaml, *.yml, *.json and
// *.jsonnet, hidden ones included, in path order; subdirectories only
// with manifests.recurse; symlinks to files followed (within the
// repository), symlinks to directories and other files that are not
// regular skipped; then manifests.exclude and manifests.include on the
// path relative to the app directory. hookgen's own files (hookgen.yaml,
// .hookgen/) are never read. A *.jsonnet file is refused: Argo CD would
// render it, and dropping it would prune its resources.
func readManifests(r *yamlio.Reader, appDir string, sel *hookspec.Manifests, keep bool, ps *problem.Collector) []*Manifest {
	if sel == nil {
		sel = &hookspec.Manifests{}
	}
	include, ok1 := compileGlobs(sel.Include, appDir, ps)
	exclude, ok2 := compileGlobs(sel.Exclude, appDir, ps)
	if !ok1 || !ok2 {
		return nil
	}
	if _, ok := r.Stat(path.Join(appDir, chartFile)); ok {
		ps.Add(problem.Pos{File: path.Join(appDir, chartFile)}, "", "this is a Helm chart; hookgen does not render charts: keep the chart as one source of the Application and add hookgen as a second, hooks-only source")
		return nil
	}
	var toRead []yamlio.Listing
	var walk func(dir string)
	walk = func(dir string) {
		entries, err := fs.ReadDir(r.FS, dir)
		if err != nil {
			r.Fail(dir, err)
			return
		}
		for _, e := range entries {
			name := e.Name()
			p := path.Join(dir, name)
			rel := strings.TrimPrefix(strings.TrimPrefix(p, appDir), "/")
			if appDir == "." {
				rel = p
			}
			if e.IsDir() {
				if sel.Recurse && name != hookgenDir {
					walk(p)
				}
				continue
			}
			if l, ok := manifestFile(r, e, name, p, rel, include, exclude, ps); ok {
				toRead = append(toRead, l)
			}
		}
	}
	walk(appDir)
	var files []listed
	data, read := r.ReadBatch(toRead)
	for i, l := range toRead {
		if read[i] {
			files = append(files, listed{l.Name, data[i]})
		}
	}
	if r.OverLimit || len(files) == 0 {
		// Parse nothing: an oversized application costs a read, not a parse.
		return nil
	}
	return parseAll(r, files, keep, ps)
}

// parseAll parses the files as ParseManifests one after another would, in
// order: the same manifests and problems (sorted when reported). Only
// YAML aliases spend the budget the run's files share, and an alias needs
// an anchor: a file with no '&' cannot touch it, so such files parse at
// once (yamlio.Spread), each into problems of its own; the others parse
// afterwards in order, with the run's budget.
func parseAll(r *yamlio.Reader, files []listed, keep bool, ps *problem.Collector) []*Manifest {
	got := make([][]*Manifest, len(files))
	found := make([]problem.Collector, len(files))
	done := make([]bool, len(files))
	yamlio.Spread(len(files), func(i int) {
		if bytes.IndexByte(files[i].data, '&') >= 0 {
			return
		}
		var unspent yamlio.AliasBudget // no anchor: never spent
		got[i] = ParseManifests(files[i].path, files[i].data, r.Limits, keep, &unspent, &found[i])
		done[i] = true
	})
	var out []*Manifest
	for i, f := range files {
		if done[i] {
			ps.Merge(&found[i])
		} else {
			got[i] = ParseManifests(f.path, f.data, r.Limits, keep, &r.Aliases, ps)
		}
		out = append(out, got[i]...)
		got[i], files[i].data = nil, nil // what the manifests did not keep of it can go
	}
	return out
}

// manifestFile says how to read the directory entry e, named name, at
// path p (rel relative to the app directory), when it is a manifest file
// the application selects; ok is false when it is not.
func manifestFile(r *yamlio.Reader, e fs.DirEntry, name, p, rel string, include, exclude []*regexp.Regexp, ps *problem.Collector) (l yamlio.Listing, ok bool) {
	if name == hookspec.SpecFile || !isManifestFile(name) {
		return yamlio.Listing{}, false
	}
	var linked fs.FileInfo // what a symlink leads to
	if e.Type()&fs.ModeSymlink != 0 {
		fi, ok := r.Stat(p) // one that leads outside the repository is an error, as in Argo CD
		if !ok {
			return yamlio.Listing{}, false // a broken link: Argo CD skips it
		}
		linked = fi
	}
	if linked != nil && !linked.Mode().IsRegular() || linked == nil && !e.Type().IsRegular() {
		return yamlio.Listing{}, false // a directory link, a pipe...: Argo CD skips them
	}
	if matchGlobs(exclude, rel) || len(include) > 0 && !matchGlobs(include, rel) {
		return yamlio.Listing{}, false
	}
	if strings.HasSuffix(name, ".jsonnet") {
		// Refused, not rendered: go-jsonnet bounds recursion depth
		// but neither time nor memory, and an evaluation cannot be
		// stopped, so generation could no longer promise bounded
		// cost. Dropping the file would prune its objects.
		ps.Add(problem.Pos{File: p, Line: 1}, "", "Argo CD renders *.jsonnet files in a directory app; hookgen does not render Jsonnet: render it to YAML or JSON and commit that instead, or leave it out with manifests.exclude and keep it in a directory source of its own")
		return yamlio.Listing{}, false
	}
	// A link is read as what it leads to (stated above); a listed file
	// with no stat of its own: the listing said what it is.
	return yamlio.Listing{Name: p, Linked: linked}, true
}

// hookgenDir holds repo-level templates; it is hookgen's, never the app's.
const hookgenDir = ".hookgen"

// listed is a manifest file read, not yet parsed.
type listed struct {
	path string
	data []byte
}

// isManifestFile is Argo CD's ^.*\.(yaml|yml|json|jsonnet)$ on a file name.
func isManifestFile(name string) bool {
	if strings.ContainsRune(name, '\n') {
		return false // "." in Argo CD's pattern does not match a line break
	}
	switch path.Ext(name) {
	case ".yaml", ".yml", ".json", ".jsonnet":
		return true
	}
	return false
}

// compileGlobs compiles manifests.include or manifests.exclude; a
// pattern that does not compile is an error (Argo CD would log it and
// match nothing).
func compileGlobs(patterns []string, appDir string, ps *problem.Collector) ([]*regexp.Regexp, bool) {
	var out []*regexp.Regexp
	ok := true
	for _, p := range patterns {
		re, err := argoglob.Compile(p)
		if err != nil {
			ps.Add(problem.Pos{File: path.Join(appDir, hookspec.SpecFile)}, "", "manifests: bad glob %q: %v", p, err)
			ok = false
			continue
		}
		out = append(out, re)
	}
	return out, ok
}

// matchGlobs reports whether one of the patterns matches the whole path.
func matchGlobs(res []*regexp.Regexp, rel string) bool {
	for _, re := range res {
		if re.MatchString(rel) {
			return true
		}
	}
	return false
}

// Namespaces returns the names of the Namespaces the resources create.
func Namespaces(ms []*Manifest) map[string]problem.Pos {
	out := map[string]problem.Pos{}
	var visit func(n *yaml.Node, pos problem.Pos)
	visit = func(n *yaml.Node, pos problem.Pos) {
		kind, api := yamlio.MapGet(n, "kind"), yamlio.MapGet(n, "apiVersion")
		if kind == nil || api == nil {
			return
		}
		if kind.Value == "Namespace" && api.Value == "v1" {
			if name := yamlio.MapPath(n, "metadata", "name"); name != nil && name.Value != "" {
				out[name.Value] = pos
			}
		}
		if strings.HasSuffix(kind.Value, "List") {
			if items := yamlio.MapGet(n, "items"); items != nil {
				for _, it := range items.Content {
					visit(it, pos)
				}
			}
		}
	}
	for _, m := range ms {
		pos := problem.Pos{File: m.File, Line: m.Line}
		if m.Tree == nil {
			if m.Kind == "Namespace" && m.APIVersion == "v1" && m.Name != "" {
				out[m.Name] = pos
			}
			continue
		}
		visit(m.Tree, pos)
	}
	return out
}

// MayBeHook reports whether a document's text can hold a hook annotation:
// it names one, or it has an escape that could spell one.
func MayBeHook(text []byte) bool {
	return strings.Contains(string(text), "hook") || strings.ContainsRune(string(text), '\\')
}
