package transform

import (
	"bytes"
	"io/fs"
	"path"
	"strings"

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

	raw  []byte             // the document's text, ending in a newline; nil when node must be encoded
	node *yaml.Node         // the parsed document
	kres *resource.Resource // the resource kustomize built, for a Kustomize application
}

// Node returns the parsed resource. A document printed as written is
// parsed again here: a run keeps no tree it does not need.
func (m *Manifest) Node() *yaml.Node {
	if m.node == nil && m.raw != nil {
		var doc yaml.Node
		if yaml.Unmarshal(m.raw, &doc) == nil && len(doc.Content) > 0 {
			m.node = copyNode(doc.Content[0]) // alias-free, as when it was read
		}
	}
	return m.node
}

// kustomization and chart files change how a directory is built.
var (
	kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
	chartFile          = "Chart.yaml"
)

// readerAnnotationPrefixes are annotations kustomize's readers add to track
// files; they must never reach a cluster.
var readerAnnotationPrefixes = []string{"config.kubernetes.io/", "internal.config.kubernetes.io/"}

// appManifests returns the application's own resources: the build of its
// kustomization, or its plain manifest files. For a kustomization that
// sets a namespace, it returns that namespace too. keep asks for the
// parsed tree of every resource (annotate rules look into them);
// otherwise a document printed as written keeps only its text.
func appManifests(r *reader, appDir string, sel *Manifests, keep bool, ps *problems) ([]*Manifest, string) {
	if file := kustomizationIn(r, appDir); file != "" {
		return kustomizeBuild(r, appDir, file, sel, ps)
	}
	return readManifests(r, appDir, sel, keep, ps), ""
}

// readManifests reads the application's own resources from the app
// directory: *.yaml, *.yml and *.json files, not hidden ones, not hookgen's
// own, in path order, the way Argo CD's directory source reads them.
func readManifests(r *reader, appDir string, sel *Manifests, keep bool, ps *problems) []*Manifest {
	if sel == nil {
		sel = &Manifests{}
	}
	for _, pats := range [][]string{sel.Include, sel.Exclude} {
		for _, p := range pats {
			for _, alt := range expandBraces(p) {
				if _, err := path.Match(alt, ""); err != nil {
					ps.add(Pos{File: path.Join(appDir, SpecFile)}, "", "manifests: bad glob %q", p)
				}
			}
		}
	}
	if _, ok := r.stat(path.Join(appDir, chartFile)); ok {
		ps.add(Pos{File: path.Join(appDir, chartFile)}, "", "this is a Helm chart; hookgen does not render charts: keep the chart as one source of the Application and add hookgen as a second, hooks-only source")
		return nil
	}
	var files []listed
	var walk func(dir string)
	walk = func(dir string) {
		entries, err := fs.ReadDir(r.fsys, dir)
		if err != nil {
			r.fail(dir, err)
			return
		}
		for _, e := range entries {
			name := e.Name()
			p := path.Join(dir, name)
			if strings.HasPrefix(name, ".") {
				continue
			}
			isDir := e.IsDir()
			var linked fs.FileInfo // what a symlink leads to
			if e.Type()&fs.ModeSymlink != 0 {
				fi, ok := r.stat(p)
				if !ok {
					continue
				}
				if fi.IsDir() {
					continue // never follow directory links: no cycles, no surprises
				}
				linked = fi
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(p, appDir), "/")
			if appDir == "." {
				rel = p
			}
			if isDir {
				if sel.Recurse {
					walk(p)
				}
				continue
			}
			if name == SpecFile || !isManifestFile(name) || !selected(rel, sel) {
				continue
			}
			var data []byte
			var ok bool
			switch {
			case e.Type().IsRegular():
				data, ok = r.readListed(p) // no stat of its own: the listing said what it is
			case linked != nil:
				data, ok = r.readInfo(p, linked) // stated above
			default:
				data, ok = r.read(p, true)
			}
			if !ok {
				continue
			}
			files = append(files, listed{p, data})
		}
	}
	walk(appDir)
	if r.overLimit {
		// Parse nothing: an oversized application costs a read, not a parse.
		return nil
	}
	var out []*Manifest
	for i, f := range files {
		out = append(out, parseManifests(f.path, f.data, r.lim, keep, &r.aliases, ps)...)
		files[i].data = nil // what the manifests did not keep of it can go
	}
	return out
}

// listed is a manifest file read, not yet parsed.
type listed struct {
	path string
	data []byte
}

func isManifestFile(name string) bool {
	switch path.Ext(name) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// selected applies manifests.include and manifests.exclude.
func selected(rel string, sel *Manifests) bool {
	if len(sel.Include) > 0 && !matchAny(rel, sel.Include) {
		return false
	}
	return !matchAny(rel, sel.Exclude)
}

func matchAny(rel string, patterns []string) bool {
	for _, p := range patterns {
		for _, alt := range expandBraces(p) {
			if ok, _ := path.Match(alt, rel); ok {
				return true
			}
			if ok, _ := path.Match(alt, path.Base(rel)); ok && !strings.Contains(alt, "/") {
				return true
			}
		}
	}
	return false
}

// expandBraces expands {a,b} alternatives: "*.{yaml,yml}" → *.yaml, *.yml.
func expandBraces(p string) []string {
	open := strings.IndexByte(p, '{')
	if open < 0 {
		return []string{p}
	}
	closeIdx := strings.IndexByte(p[open:], '}')
	if closeIdx < 0 {
		return []string{p}
	}
	closeIdx += open
	var out []string
	for _, alt := range strings.Split(p[open+1:closeIdx], ",") {
		out = append(out, expandBraces(p[:open]+alt+p[closeIdx+1:])...)
	}
	return out
}

// chunk is one YAML document's text within a file.
type chunk struct {
	line     int // 1-based line of its first byte
	text     []byte
	reencode bool // the text cannot be printed as it is
}

// splitDocuments splits a YAML stream at its document markers. A "---" or
// "..." at the start of a line always is one: YAML forbids them inside
// content.
func splitDocuments(data []byte) []chunk {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var out []chunk
	cur := chunk{line: 1}
	start := 0
	line := 1
	flush := func(end int) {
		cur.text = data[start:end]
		out = append(out, cur)
	}
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if j >= 0 {
			next = i + j + 1
		}
		l := data[i:next]
		switch {
		case isMarker(l, "---"):
			flush(i)
			rest := bytes.TrimSpace(l[3:])
			cur = chunk{line: line + 1}
			start = next
			if len(rest) > 0 && rest[0] != '#' {
				// Content on the marker line: keep it, and encode the result.
				cur = chunk{line: line, reencode: true}
				start = i + 3
			}
		case isMarker(l, "..."):
			flush(i)
			cur = chunk{line: line + 1}
			start = next
		case len(l) > 0 && l[0] == '%':
			cur.reencode = true
		}
		i = next
		line++
	}
	flush(len(data))
	return out
}

func isMarker(l []byte, m string) bool {
	if !bytes.HasPrefix(l, []byte(m)) {
		return false
	}
	return len(l) == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\n' || l[3] == '\r'
}

// parseManifests parses the documents of one manifest file. Unless keep
// is set, a document printed as written drops its tree once it has been
// checked: the text is all the output needs, and a run over thousands of
// resources then holds only their text (a List keeps its tree for its
// items' namespaces).
func parseManifests(file string, data []byte, lim Limits, keep bool, aliases *aliasBudget, ps *problems) []*Manifest {
	var out []*Manifest
	var scratch bytes.Buffer
	chunks := splitDocuments(data)
	docs := len(chunks)
	if docs > 0 && len(chunks[0].text) == 0 {
		docs-- // the nothing before a leading "---" is no document
	}
	if docs > lim.MaxDocuments {
		ps.add(Pos{File: file}, "", "more than %d YAML documents (limit max-documents)", lim.MaxDocuments)
		return nil
	}
	for _, c := range chunks {
		if len(bytes.TrimSpace(c.text)) == 0 {
			continue
		}
		if !keep && !c.reencode {
			// The common case: a document hookgen prints as written needs
			// its identity, not its tree (scan.go).
			if info, ok := scanDoc(c.text, lim); ok {
				if isHookgenKind(info.apiVersion) {
					continue // hookgen's own kinds are never output
				}
				m := &Manifest{File: file, Line: c.line, APIVersion: info.apiVersion, Kind: info.kind, Name: info.name, Namespace: info.namespace, raw: withNewline(c.text)}
				out = append(out, m)
				continue
			}
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(c.text, &doc); err != nil {
			p := yamlProblem(file, c.text, err)
			if p.Pos.Line > 0 {
				p.Pos.Line += c.line - 1
			}
			ps.addErr(p)
			continue
		}
		if len(doc.Content) == 0 || isNull(doc.Content[0]) {
			continue // an empty document or a lone comment
		}
		sub := &problems{}
		n, ok := expand(file, doc.Content[0], lim.manifestBudget(aliases), sub)
		for _, p := range sub.list {
			if p.Pos.Line > 0 {
				p.Pos.Line += c.line - 1
			}
			ps.addErr(p)
		}
		if !ok || !sub.empty() {
			continue
		}
		m := &Manifest{File: file, Line: c.line, node: n}
		if !describe(m, ps) {
			continue
		}
		if isHookgenKind(m.APIVersion) {
			continue // hookgen's own kinds are never output
		}
		reencode := c.reencode || stripReaderAnnotations(n) || bytes.IndexByte(c.text, '\r') >= 0
		if first := firstContent(c.text); first == '{' || first == '[' {
			reencode = true // JSON or flow style: a leading "{" would turn Argo CD's decoder to JSON
		}
		if reencode {
			canonicalRead(n)
			if !keep && !strings.HasSuffix(m.Kind, "List") && !mayBeHook(c.text) {
				// Encoded now, as it will be printed: a run over thousands
				// of flow-style or JSON documents holds their text, not
				// their trees (Node parses one again when it is needed).
				// A document that may be a hook keeps its tree, whose
				// lines are those of its file, for the judge's messages.
				// The text is copied out of one scratch buffer at its
				// exact length: a buffer of its own would keep up to
				// twice the bytes it holds.
				scratch.Reset()
				if _, err := encodeNodeBuf(&scratch, n, nil); err == nil {
					m.raw, m.node = bytes.Clone(scratch.Bytes()), nil
				}
			}
		} else {
			m.raw = withNewline(c.text)
			if !keep && !strings.HasSuffix(m.Kind, "List") {
				m.node = nil
			}
		}
		out = append(out, m)
	}
	return out
}

// withNewline returns a document's text ending in a newline. A text that
// lacks one is copied: it shares the bytes of the file it was cut from.
func withNewline(text []byte) []byte {
	if len(text) > 0 && text[len(text)-1] != '\n' {
		return append(text[:len(text):len(text)], '\n')
	}
	return text
}

// isHookgenKind reports whether apiVersion is one of hookgen's own
// (hookgen.dev/...): those documents configure hookgen and are never
// output.
func isHookgenKind(apiVersion string) bool {
	return strings.HasPrefix(apiVersion, "hookgen.dev/")
}

// firstContent returns the first byte that is not space or a comment.
func firstContent(b []byte) byte {
	for len(b) > 0 {
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) > 0 && b[0] == '#' {
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				b = b[i+1:]
				continue
			}
			return 0
		}
		break
	}
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// describe reads a resource's identity and reports what is not a resource.
func describe(m *Manifest, ps *problems) bool {
	n := m.node
	pos := Pos{File: m.File, Line: m.Line}
	if n.Kind != yaml.MappingNode {
		ps.add(pos, "", "not a Kubernetes resource (found %s, not a mapping with apiVersion and kind); exclude the file with manifests.exclude", kindName(n))
		return false
	}
	get := func(keys ...string) string {
		v := mapPath(n, keys...)
		if v == nil || v.Kind != yaml.ScalarNode {
			return ""
		}
		return v.Value
	}
	m.APIVersion, m.Kind = get("apiVersion"), get("kind")
	m.Name, m.Namespace = get("metadata", "name"), get("metadata", "namespace")
	if m.APIVersion == "" || m.Kind == "" {
		ps.add(pos, "", "not a Kubernetes resource: apiVersion and kind are required; exclude the file with manifests.exclude if it is not one")
		return false
	}
	if m.Name == "" && get("metadata", "generateName") == "" && !strings.HasSuffix(m.Kind, "List") && !isHookgenKind(m.APIVersion) {
		ps.add(pos, "", "%s has no metadata.name", m.Kind)
		return false
	}
	return true
}

// stripReaderAnnotations removes kustomize reader annotations and reports
// whether it removed any.
func stripReaderAnnotations(n *yaml.Node) bool {
	ann := mapPath(n, "metadata", "annotations")
	if ann == nil || ann.Kind != yaml.MappingNode {
		return false
	}
	changed := false
	kept := ann.Content[:0]
	for i := 0; i+1 < len(ann.Content); i += 2 {
		if isReaderAnnotation(ann.Content[i].Value) {
			changed = true
			continue
		}
		kept = append(kept, ann.Content[i], ann.Content[i+1])
	}
	ann.Content = kept
	if len(kept) == 0 {
		mapDelete(mapGet(n, "metadata"), "annotations")
	}
	return changed
}

func isReaderAnnotation(key string) bool {
	for _, p := range readerAnnotationPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// namespaces returns the names of the Namespaces the resources create.
func namespaces(ms []*Manifest) map[string]Pos {
	out := map[string]Pos{}
	var visit func(n *yaml.Node, pos Pos)
	visit = func(n *yaml.Node, pos Pos) {
		kind, api := mapGet(n, "kind"), mapGet(n, "apiVersion")
		if kind == nil || api == nil {
			return
		}
		if kind.Value == "Namespace" && api.Value == "v1" {
			if name := mapPath(n, "metadata", "name"); name != nil && name.Value != "" {
				out[name.Value] = pos
			}
		}
		if strings.HasSuffix(kind.Value, "List") {
			if items := mapGet(n, "items"); items != nil {
				for _, it := range items.Content {
					visit(it, pos)
				}
			}
		}
	}
	for _, m := range ms {
		pos := Pos{File: m.File, Line: m.Line}
		if m.node == nil {
			if m.Kind == "Namespace" && m.APIVersion == "v1" && m.Name != "" {
				out[m.Name] = pos
			}
			continue
		}
		visit(m.node, pos)
	}
	return out
}
