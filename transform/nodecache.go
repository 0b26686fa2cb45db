package transform

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"hash/fnv"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The built-in templates, parsed ahead of time. Every hookgen process
// needs them, and parsing their YAML was a quarter of a hooks-only run.
// templates/builtin.nodes holds the trees parseStream makes of each
// templates/*.yaml, in a compact binary form that decodes without
// scanning YAML, with a hash of the YAML it was made from: a template
// changed since is parsed from its YAML as before (TestBuiltinNodes fails
// until the file is made again with
// `go test ./transform -run TestBuiltinNodes -update-nodes`).

//go:embed templates/builtin.nodes
var builtinNodes []byte

const nodesMagic = "hookgen-nodes-v1\n"

func textHash(data []byte) uint64 {
	h := fnv.New64a()
	h.Write(data)
	return h.Sum64()
}

type nodeFile struct {
	hash uint64
	docs []*yaml.Node
}

// encodeNodeFiles writes the documents of template files (file name →
// YAML text and its parsed documents, nil for an empty one).
func encodeNodeFiles(names []string, texts map[string][]byte, docs map[string][]*yaml.Node) ([]byte, error) {
	b := []byte(nodesMagic)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, name := range names {
		b = appendString(b, name)
		b = binary.AppendUvarint(b, textHash(texts[name]))
		b = binary.AppendUvarint(b, uint64(len(docs[name])))
		for _, d := range docs[name] {
			var err error
			if b, err = appendNode(b, d); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendNode(b []byte, n *yaml.Node) ([]byte, error) {
	if n == nil {
		return binary.AppendUvarint(b, 0), nil
	}
	if n.Kind == yaml.AliasNode || n.Alias != nil {
		return nil, errors.New("an alias in a parsed template")
	}
	b = binary.AppendUvarint(b, uint64(n.Kind))
	b = binary.AppendUvarint(b, uint64(n.Style))
	for _, s := range []string{n.Tag, n.Value, n.Anchor, n.HeadComment, n.LineComment, n.FootComment} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(n.Line))
	b = binary.AppendUvarint(b, uint64(n.Column))
	b = binary.AppendUvarint(b, uint64(len(n.Content)))
	for _, c := range n.Content {
		var err error
		if b, err = appendNode(b, c); err != nil {
			return nil, err
		}
	}
	return b, nil
}

var errNodes = errors.New("builtin.nodes is damaged")

type nodeReader struct {
	b   []byte
	err error
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
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *nodeReader) node(depth int) *yaml.Node {
	kind := r.uint()
	if kind == 0 || r.err != nil || depth > 1000 {
		return nil
	}
	n := &yaml.Node{Kind: yaml.Kind(kind), Style: yaml.Style(r.uint())}
	n.Tag, n.Value, n.Anchor = r.string(), r.string(), r.string()
	n.HeadComment, n.LineComment, n.FootComment = r.string(), r.string(), r.string()
	n.Line, n.Column = int(r.uint()), int(r.uint())
	count := r.uint()
	if count > uint64(len(r.b)) {
		r.err = errNodes
		return nil
	}
	if count > 0 {
		n.Content = make([]*yaml.Node, count)
		for i := range n.Content {
			n.Content[i] = r.node(depth + 1)
		}
	}
	return n
}

// decodeNodeFiles reads builtin.nodes. The trees are new on every call:
// callers may keep and change them.
func decodeNodeFiles(b []byte) (map[string]nodeFile, error) {
	if len(b) < len(nodesMagic) || string(b[:len(nodesMagic)]) != nodesMagic {
		return nil, errNodes
	}
	r := &nodeReader{b: b[len(nodesMagic):]}
	files := map[string]nodeFile{}
	for i := r.uint(); i > 0 && r.err == nil; i-- {
		name := r.string()
		f := nodeFile{hash: r.uint()}
		for j := r.uint(); j > 0 && r.err == nil; j-- {
			f.docs = append(f.docs, r.node(0))
		}
		files[name] = f
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errNodes
	}
	return files, nil
}
