package hookset

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"unsafe"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The built-in templates, parsed ahead of time. Every hookgen process
// needs some of them, and parsing their YAML takes 1.4 ms, about a sixth
// of a hooks-only process, where decoding the cache takes 0.25 ms
// (doc.go). templates/builtin.nodes holds the trees parseStream makes of
// each templates/*.yaml, in a compact binary form that decodes without
// scanning YAML, with a hash of the YAML it was made from: a template
// changed since is parsed from its YAML as before (TestBuiltinNodes fails
// until the file is made again with
// `go test ./transform -run TestBuiltinNodes -update-nodes`). Each file's
// trees are a section of their own, so that a run decodes only the files
// of the templates its hooks use. Only that test writes the file, so the
// encoder is in nodecache_test.go.

const NodesMagic = "hookgen-nodes-v3\n"

// TextHash is the hash the node cache keys a template file's text by.
func TextHash(data []byte) uint64 {
	h := fnv.New64a()
	h.Write(data)
	return h.Sum64()
}

// NodeFile is one template file of builtin.nodes: the hash of its YAML
// and its trees, not yet decoded.
type NodeFile struct {
	Hash    uint64
	section []byte
}

var errNodes = errors.New("builtin.nodes is damaged")

// nodeReader decodes trees into slabs: one array of nodes and one of
// child pointers per document, and strings that share the input's bytes
// (the embedded file never changes).
type nodeReader struct {
	b     []byte
	err   error
	nodes []yaml.Node
	kids  []*yaml.Node
}

func (r *nodeReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errNodes
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *nodeReader) string() string {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.err = errNodes
		r.b = nil
		return ""
	}
	if n == 0 {
		return ""
	}
	s := unsafe.String(&r.b[0], int(n))
	r.b = r.b[n:]
	return s
}

func (r *nodeReader) doc() *yaml.Node {
	count := r.uint()
	if count > uint64(len(r.b)) {
		r.err = errNodes
		return nil
	}
	r.nodes = make([]yaml.Node, count)
	if count > 0 {
		r.kids = make([]*yaml.Node, count-1)
	}
	n := r.node(0)
	if len(r.nodes) != 0 || len(r.kids) != 0 {
		r.err = errNodes // the count was wrong
	}
	return n
}

func (r *nodeReader) node(depth int) *yaml.Node {
	kind := r.uint()
	if kind == 0 || r.err != nil || depth > 1000 || len(r.nodes) == 0 {
		if kind != 0 {
			r.err = errNodes
		}
		return nil
	}
	n := &r.nodes[0]
	r.nodes = r.nodes[1:]
	n.Kind, n.Style = yaml.Kind(kind), yaml.Style(r.uint())
	n.Tag, n.Value, n.Anchor = r.string(), r.string(), r.string()
	n.HeadComment, n.LineComment, n.FootComment = r.string(), r.string(), r.string()
	n.Line, n.Column = int(r.uint()), int(r.uint())
	count := r.uint()
	if count > uint64(len(r.kids)) {
		r.err = errNodes
		return nil
	}
	if count > 0 {
		n.Content = r.kids[:count:count]
		r.kids = r.kids[count:]
		for i := range n.Content {
			n.Content[i] = r.node(depth + 1)
		}
	}
	return n
}

// IndexNodeFiles reads the file names and hashes of builtin.nodes; the
// trees of each are decoded by its Docs.
func IndexNodeFiles(b []byte) (map[string]NodeFile, error) {
	if len(b) < len(NodesMagic) || string(b[:len(NodesMagic)]) != NodesMagic {
		return nil, errNodes
	}
	r := &nodeReader{b: b[len(NodesMagic):]}
	files := map[string]NodeFile{}
	for i := r.uint(); i > 0 && r.err == nil; i-- {
		name := r.string()
		f := NodeFile{Hash: r.uint()}
		size := r.uint()
		if size > uint64(len(r.b)) {
			return nil, errNodes
		}
		f.section, r.b = r.b[:size], r.b[size:]
		files[name] = f
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errNodes
	}
	return files, nil
}

// Docs decodes the file's trees. They are new on every call: callers may
// keep and change them (their strings share the bytes indexed, which must
// not change).
func (f NodeFile) Docs() ([]*yaml.Node, error) {
	r := &nodeReader{b: f.section}
	var docs []*yaml.Node
	for j := r.uint(); j > 0 && r.err == nil; j-- {
		docs = append(docs, r.doc())
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errNodes
	}
	return docs, nil
}
