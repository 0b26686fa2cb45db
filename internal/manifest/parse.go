package manifest

import (
	"bytes"
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// chunk is one YAML document's text within a file.
type chunk struct {
	Line     int // 1-based line of its first byte
	Text     []byte
	Reencode bool // the text cannot be printed as it is
}

// SplitDocuments splits a YAML stream at its document markers. A "---" or
// "..." at the start of a line always is one: YAML forbids them inside
// content.
func SplitDocuments(data []byte) []chunk {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var out []chunk
	cur := chunk{Line: 1}
	start := 0
	line := 1
	flush := func(end int) {
		cur.Text = data[start:end]
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
			cur = chunk{Line: line + 1}
			start = next
			if len(rest) > 0 && rest[0] != '#' {
				// Content on the marker line: keep it, and encode the result.
				cur = chunk{Line: line, Reencode: true}
				start = i + 3
			}
		case isMarker(l, "..."):
			flush(i)
			cur = chunk{Line: line + 1}
			start = next
		case len(l) > 0 && l[0] == '%':
			cur.Reencode = true
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

// ParseManifests reads the objects of one manifest file as Argo CD's
// directory source does (dirsource.go): a *.json file holds one object, a
// YAML file a stream of them, and a YAML file Argo CD cannot decode and
// that does not look like a manifest is ignored. Unless keep is set, a
// document printed as written drops its tree once it has been checked:
// the text is all the output needs, and a run over thousands of resources
// then holds only their text (a List keeps its tree for its items'
// namespaces).
func ParseManifests(file string, data []byte, lim yamlio.Limits, keep bool, aliases *yamlio.AliasBudget, ps *problem.Collector) []*Manifest {
	var scratch bytes.Buffer
	text := argoText(data)
	isJSON := strings.HasSuffix(file, ".json")
	chunks, tail := chunksOf(file, text, isJSON) // tail: what ended the stream after the chunks
	var failed *problem.Problem                  // the first document Argo CD cannot decode
	docs := len(chunks)
	if docs > 0 && len(chunks[0].Text) == 0 {
		docs-- // the nothing before a leading "---" is no document
	}
	if docs > lim.MaxDocuments {
		ps.Add(problem.Pos{File: file}, "", "more than %d YAML documents (limit max-documents)", lim.MaxDocuments)
		return nil
	}
	var out []*Manifest
	objects := 0         // the objects Argo CD decoded before a failure
	mark := len(ps.List) // problems before this file's
	for _, c := range chunks {
		if !isJSON && len(bytes.TrimSpace(c.Text)) == 0 {
			continue
		}
		if !keep && !c.Reencode {
			if m, ok := scanned(file, c, lim); ok {
				objects++
				if m != nil {
					out = append(out, m)
				}
				continue
			}
		}
		m, object, fail := parsed(file, c, isJSON, keep, lim, aliases, ps, &scratch)
		if fail != nil {
			failed = fail
			break
		}
		if object {
			objects++
		}
		if m != nil {
			out = append(out, m)
		}
	}
	if failed == nil {
		failed = tail
	}
	if failed != nil {
		if !isJSON && objects == 0 && !resourceLike(text) {
			// Argo CD: "it might be an unrelated YAML file which we will
			// ignore". So does hookgen, with whatever it found in it.
			ps.List = ps.List[:mark]
			return nil
		}
		failed.Msg += "; Argo CD cannot read this file either: fix it, or leave it out with manifests.exclude"
		ps.AddErr(*failed)
		return nil
	}
	return out
}

// parsed reads a document that must be parsed. object says Argo CD
// decodes it as an object; m is the manifest to output, nil when there is
// none (an empty document, a problem in it, one of hookgen's own kinds);
// failed is the problem that makes Argo CD refuse the file. mine collects
// hookgen's own problems with the document.
func parsed(file string, c chunk, isJSON, keep bool, lim yamlio.Limits, aliases *yamlio.AliasBudget, mine *problem.Collector, scratch *bytes.Buffer) (m *Manifest, object bool, failed *problem.Problem) {
	var doc yaml.Node
	if err := yaml.Unmarshal(c.Text, &doc); err != nil {
		p := yamlio.ErrorProblem(file, c.Text, err)
		if p.Pos.Line > 0 {
			p.Pos.Line += c.Line - 1
		}
		return nil, false, &p
	}
	if len(doc.Content) == 0 || yamlio.IsNull(doc.Content[0]) {
		if isJSON {
			return nil, false, &problem.Problem{Pos: problem.Pos{File: file, Line: c.Line}, Msg: "not a Kubernetes resource (found null)"}
		}
		return nil, false, nil // an empty document or a lone comment
	}
	if why := argoFailure(doc.Content[0]); why != "" {
		return nil, false, &problem.Problem{Pos: problem.Pos{File: file, Line: c.Line}, Msg: why}
	}
	sub := &problem.Collector{}
	n, ok := yamlio.Expand(file, doc.Content[0], lim.ManifestBudget(aliases), sub)
	for _, p := range sub.List {
		if p.Pos.Line > 0 {
			p.Pos.Line += c.Line - 1
		}
		mine.AddErr(p)
	}
	if !ok || !sub.Empty() {
		return nil, true, nil
	}
	m = &Manifest{File: file, Line: c.Line, Tree: n}
	if !describe(m, mine) {
		return nil, true, nil
	}
	if hookspec.IsHookgenKind(m.APIVersion) {
		return nil, true, nil // hookgen's own kinds are never output
	}
	keepText(m, c, n, keep, scratch)
	return m, true, nil
}

// chunksOf cuts a file's text into documents, as JSON (a *.json file, or a
// stream of JSON values) or as YAML, and returns what ended the stream
// after them, if anything did.
func chunksOf(file string, text []byte, isJSON bool) ([]chunk, *problem.Problem) {
	switch {
	case isJSON:
		return jsonChunks(file, text, true)
	case jsonStream(text):
		return jsonChunks(file, text, false)
	default:
		return YamlChunks(file, text)
	}
}

// scanned reads a document hookgen prints as written, the common case,
// which needs its identity, not its tree (yamlio.ScanDoc). ok is false
// when the scan cannot tell, and the document must be parsed; m is nil for
// hookgen's own kinds, which are never output.
func scanned(file string, c chunk, lim yamlio.Limits) (m *Manifest, ok bool) {
	info, ok := yamlio.ScanDoc(c.Text, lim)
	if !ok || !FastKindOK(info) {
		return nil, false
	}
	if hookspec.IsHookgenKind(info.APIVersion) {
		return nil, true
	}
	return &Manifest{File: file, Line: c.Line, APIVersion: info.APIVersion, Kind: info.Kind, Name: info.Name, Namespace: info.Namespace, Raw: withNewline(c.Text)}, true
}

// keepText decides what m keeps of a parsed document n: its text as
// written, or, when it must be encoded again, its tree or the text of
// that encoding.
func keepText(m *Manifest, c chunk, n *yaml.Node, keep bool, scratch *bytes.Buffer) {
	reencode := c.Reencode || stripReaderAnnotations(n) || bytes.IndexByte(c.Text, '\r') >= 0
	if first := firstContent(c.Text); first == '{' || first == '[' {
		reencode = true // JSON or flow style: a leading "{" would turn Argo CD's decoder to JSON
	}
	if reencode {
		yamlio.CanonicalRead(n)
		if !keep && !strings.HasSuffix(m.Kind, "List") && !MayBeHook(c.Text) {
			// Encoded now, as it will be printed: a run over thousands
			// of flow-style or JSON documents holds their text, not
			// their trees (Node parses one again when it is needed).
			// A document that may be a hook keeps its tree, whose
			// lines are those of its file, for the judge's messages.
			// The text is copied out of one scratch buffer at its
			// exact length: a buffer of its own would keep up to
			// twice the bytes it holds.
			scratch.Reset()
			if _, err := yamlio.EncodeNodeBuf(scratch, n, nil); err == nil {
				m.Raw, m.Tree = bytes.Clone(scratch.Bytes()), nil
			}
		}
	} else {
		m.Raw = withNewline(c.Text)
		if !keep && !strings.HasSuffix(m.Kind, "List") {
			m.Tree = nil
		}
	}
}

// withNewline returns a document's text ending in a newline. A text that
// lacks one is copied: it shares the bytes of the file it was cut from.
func withNewline(text []byte) []byte {
	if len(text) > 0 && text[len(text)-1] != '\n' {
		return append(text[:len(text):len(text)], '\n')
	}
	return text
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
func describe(m *Manifest, ps *problem.Collector) bool {
	n := m.Tree
	pos := problem.Pos{File: m.File, Line: m.Line}
	if n.Kind != yaml.MappingNode {
		ps.Add(pos, "", "not a Kubernetes resource (found %s, not a mapping with apiVersion and kind); exclude the file with manifests.exclude", yamlio.KindName(n))
		return false
	}
	get := func(keys ...string) string {
		v := yamlio.MapPath(n, keys...)
		if v == nil || v.Kind != yaml.ScalarNode {
			return ""
		}
		return v.Value
	}
	m.APIVersion, m.Kind = get("apiVersion"), get("kind")
	m.Name, m.Namespace = get("metadata", "name"), get("metadata", "namespace")
	if m.APIVersion == "" || m.Kind == "" {
		ps.Add(pos, "", "not a Kubernetes resource: apiVersion and kind are required; exclude the file with manifests.exclude if it is not one")
		return false
	}
	if items := yamlio.MapGet(n, "items"); items != nil && items.Kind == yaml.SequenceNode {
		// Argo CD reads any object whose items are a list as a list of
		// objects, and fails on an item that is not one.
		for i, it := range items.Content {
			if it.Kind != yaml.MappingNode {
				ps.Add(problem.Pos{File: m.File, Line: m.Line + it.Line - 1}, "", "items[%d] is %s, not an object: Argo CD reads an object with an items list as a list of resources", i, yamlio.KindName(it))
				return false
			}
		}
	}
	if m.Name == "" && get("metadata", "generateName") == "" && !strings.HasSuffix(m.Kind, "List") && !hookspec.IsHookgenKind(m.APIVersion) {
		ps.Add(pos, "", "%s has no metadata.name", m.Kind)
		return false
	}
	return true
}

// stripReaderAnnotations removes kustomize reader annotations and reports
// whether it removed any.
func stripReaderAnnotations(n *yaml.Node) bool {
	ann := yamlio.MapPath(n, "metadata", "annotations")
	if ann == nil || ann.Kind != yaml.MappingNode {
		return false
	}
	changed := false
	kept := ann.Content[:0]
	for i := 0; i+1 < len(ann.Content); i += 2 {
		if yamlio.IsReaderAnnotation(ann.Content[i].Value) {
			changed = true
			continue
		}
		kept = append(kept, ann.Content[i], ann.Content[i+1])
	}
	ann.Content = kept
	if len(kept) == 0 {
		yamlio.MapDelete(yamlio.MapGet(n, "metadata"), "annotations")
	}
	return changed
}
