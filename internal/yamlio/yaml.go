package yamlio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/internal/lazyre"
	"github.com/hookgen/hookgen/internal/problem"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// YAML tags hookgen distinguishes.
const (
	TagStr   = "!!str"
	TagInt   = "!!int"
	TagBool  = "!!bool"
	TagFloat = "!!float"
	TagNull  = "!!null"
	TagMap   = "!!map"
	TagSeq   = "!!seq"
)

var yamlLineErr = lazyre.New(`^yaml: line (\d+): (.*)$`)

// ParseStream parses every document of one of hookgen's own files (a
// hookgen.yaml, a template, the policy) into nodes. Aliases are checked
// against lim.MaxSpecNodes and expanded, duplicate mapping keys are
// problems, and every document comes back as its content node (never a
// DocumentNode). Empty documents come back as nil so callers can keep the
// document index stable.
func ParseStream(file string, data []byte, lim Limits, ps *problem.Collector) []*yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	budget := lim.specBudget()
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			ps.AddErr(ErrorProblem(file, data, err))
			return nil
		}
		if len(docs) >= lim.MaxDocuments {
			ps.Add(problem.Pos{File: file}, "", "more than %d YAML documents (limit max-documents)", lim.MaxDocuments)
			return nil
		}
		if len(doc.Content) == 0 {
			docs = append(docs, nil)
			continue
		}
		n, ok := Expand(file, doc.Content[0], budget, ps)
		if !ok {
			return nil
		}
		docs = append(docs, n)
	}
}

// ErrorProblem turns a go-yaml error on data into a positioned problem.
func ErrorProblem(file string, data []byte, err error) problem.Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineErr.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if strings.Contains(msg, "tab") || strings.Contains(msg, "cannot start any token") {
		if l, c, ok := indentTab(data, max(line, 1)); ok {
			return problem.Problem{Pos: problem.Pos{File: file, Line: l, Col: c}, Msg: "invalid YAML: a tab in the indentation; YAML indents with spaces only: replace the tab with spaces"}
		}
	}
	if line == 0 {
		return problem.Problem{Pos: problem.Pos{File: file}, Msg: "invalid YAML: " + msg}
	}
	return problem.Problem{Pos: problem.Pos{File: file, Line: line}, Msg: "invalid YAML: " + msg}
}

// indentTab finds the tab go-yaml stumbled on: the first tab in the
// indentation (spaces, tabs and the dashes of block sequences) of line
// or of the next one; go-yaml reports a tab that breaks the indentation
// on the line before it. It returns the tab's line and column.
func indentTab(data []byte, line int) (int, int, bool) {
	n := 1
	for len(data) > 0 && n <= line+1 {
		text, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		if n >= line {
			for i, c := range text {
				if c == '\t' {
					return n, i + 1, true
				}
				if c != ' ' && c != '-' {
					break
				}
			}
		}
		n++
	}
	return 0, 0, false
}

// Expand checks a parsed tree for nesting depth, duplicate keys and the size
// its aliases expand to, and returns an alias-free tree. Trees without
// aliases come back unchanged (no copy).
func Expand(file string, n *yaml.Node, b NodeBudget, ps *problem.Collector) (*yaml.Node, bool) {
	aliases, ok := CheckExpansion(file, n, b, ps)
	if !ok {
		return nil, false
	}
	if !aliases {
		return n, true
	}
	return CopyNode(n), true
}

// CheckExpansion is expand without the copy: it reports whether the tree
// has aliases, and ok=false with a problem when it breaks the budget.
func CheckExpansion(file string, n *yaml.Node, b NodeBudget, ps *problem.Collector) (aliases, ok bool) {
	c := expander{file: file, b: b, ps: ps}
	if hasAlias(n, 0, b.MaxDepth) {
		// Aliases share nodes and may loop: measure each node once.
		c.size = map[*yaml.Node]int{}
	}
	total := c.measure(n, 0)
	if c.failed {
		return false, false
	}
	if total > b.MaxNodes {
		ps.Add(problem.Pos{File: file, Line: n.Line}, "", "YAML expands to more than %d nodes (limit %s); are aliases nested?", b.MaxNodes, b.Name)
		return false, false
	}
	if !c.aliases {
		return false, true
	}
	if b.aliases != nil {
		b.aliases.spent += total - c.written
		if b.aliases.spent > b.MaxNodes {
			if b.aliases.reported {
				return true, false // one message for the run
			}
			b.aliases.reported = true
			ps.Add(problem.Pos{File: file, Line: n.Line}, "", "YAML aliases in the application's manifests expand to more than %d nodes in all (limit %s); write the documents out instead of repeating anchors", b.MaxNodes, b.Name)
			return true, false
		}
	}
	return true, true
}

type expander struct {
	written int // nodes as written (each counted once)
	file    string
	b       NodeBudget
	ps      *problem.Collector
	size    map[*yaml.Node]int
	aliases bool
	failed  bool
}

// measure returns the number of nodes n expands to, reporting depth and
// duplicate-key problems once.
func (c *expander) measure(n *yaml.Node, depth int) int {
	if c.failed {
		return 0
	}
	if depth > c.b.MaxDepth {
		c.ps.Add(problem.Pos{File: c.file, Line: n.Line}, "", "YAML nested deeper than %d levels (limit max-depth)", c.b.MaxDepth)
		c.failed = true
		return 0
	}
	if c.size != nil {
		if s, ok := c.size[n]; ok {
			if s < 0 {
				c.ps.Add(problem.Pos{File: c.file, Line: n.Line}, "", "an alias refers to the node that contains it")
				c.failed = true
				return 0
			}
			return s
		}
		c.size[n] = -1 // in progress: meeting it again below is a cycle
	}
	c.written++
	total := 1
	switch n.Kind {
	case yaml.AliasNode:
		c.aliases = true
		if n.Alias != nil {
			total = c.measure(n.Alias, depth+1)
		}
	case yaml.MappingNode:
		c.checkKeys(n)
		fallthrough
	default:
		for _, k := range n.Content {
			total += c.measure(k, depth+1)
			if total > c.b.MaxNodes {
				break
			}
		}
	}
	if c.size != nil {
		c.size[n] = total
	}
	return total
}

// hasAlias reports whether a tree holds an alias node, looking no deeper
// than maxDepth (past it, measure reports the depth; true keeps measure
// on its guarded path). Without aliases a parsed tree is a tree: each
// node is met once and none contains itself.
func hasAlias(n *yaml.Node, depth, maxDepth int) bool {
	if n.Kind == yaml.AliasNode || depth > maxDepth {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c, depth+1, maxDepth) {
			return true
		}
	}
	return false
}

func (c *expander) checkKeys(n *yaml.Node) {
	if len(n.Content) < 4 {
		return
	}
	first := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if line, dup := first[k.Value]; dup {
			c.ps.Add(problem.Pos{File: c.file, Line: k.Line, Col: k.Column}, "", "duplicate key %q (first at line %d)", k.Value, line)
			continue
		}
		first[k.Value] = k.Line
	}
}

// CopyNode deep-copies a tree, replacing aliases by copies of what they
// point to. Callers bound the size with expand first.
func CopyNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return CopyNode(n.Alias)
	}
	c := *n
	c.Anchor = ""
	c.Alias = nil
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, k := range n.Content {
			c.Content[i] = CopyNode(k)
		}
	}
	return &c
}

// --- building and reading nodes ---

// NewStr returns a string scalar node.
func NewStr(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: TagStr, Value: s}
}

// NewInt returns an integer scalar node.
func NewInt(i int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: TagInt, Value: strconv.FormatInt(i, 10)}
}

// NewBool returns a boolean scalar node.
func NewBool(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: TagBool, Value: strconv.FormatBool(b)}
}

// NewMap returns a mapping node of the key, value pairs in kv.
func NewMap(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: TagMap}
	for i := 0; i+1 < len(kv); i += 2 {
		MapSet(m, kv[i].(string), kv[i+1].(*yaml.Node))
	}
	return m
}

// NewSeq returns a sequence node of items.
func NewSeq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: TagSeq, Content: items}
}

// StrMap builds a mapping of strings with sorted keys.
func StrMap(m map[string]string) *yaml.Node {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := NewMap()
	for _, k := range keys {
		n.Content = append(n.Content, NewStr(k), NewStr(m[k]))
	}
	return n
}

// MapGet returns the value of key in mapping m, or nil.
func MapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// MapSet replaces the value of key in mapping m, or appends it.
func MapSet(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, NewStr(key), v)
}

// MapDelete removes key from mapping m.
func MapDelete(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// MapEnsure returns the mapping under key, creating it when absent.
func MapEnsure(m *yaml.Node, key string) *yaml.Node {
	if v := MapGet(m, key); v != nil && v.Kind == yaml.MappingNode {
		return v
	}
	v := NewMap()
	MapSet(m, key, v)
	return v
}

// MapPath follows keys through nested mappings.
func MapPath(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = MapGet(m, k)
	}
	return m
}

// IsNull reports whether n is absent or a null scalar.
func IsNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == TagNull)
}

// KindName names a node's type the way error messages do.
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case TagStr:
			return "a string"
		case TagInt:
			return "an integer"
		case TagBool:
			return "a boolean"
		case TagFloat:
			return "a number"
		case TagNull:
			return "null"
		}
		return "a scalar"
	}
	return "an unsupported YAML node"
}

// EncodeNode writes one node as a YAML document (no leading "---"), with
// the fast writer when it knows the tree (emit.go), else kyaml's encoder.
func EncodeNode(w io.Writer, n *yaml.Node) error {
	_, err := EncodeNodeBuf(w, n, nil)
	return err
}

// EncodeNodeBuf is EncodeNode with a scratch buffer for the fast writer;
// it returns the buffer to pass to the next call, so that one buffer
// serves every document of a stream.
func EncodeNodeBuf(w io.Writer, n *yaml.Node, scratch []byte) ([]byte, error) {
	buf, ok := EmitNode(scratch[:0], n)
	if !ok {
		return buf, EncodeSlow(w, n)
	}
	_, err := w.Write(buf)
	return buf, err
}

// EncodeSlow writes one node with kyaml's encoder.
func EncodeSlow(w io.Writer, n *yaml.Node) error {
	enc := yaml.NewEncoder(w)
	if err := enc.Encode(n); err != nil {
		return fmt.Errorf("encode YAML: %w", err)
	}
	return enc.Close()
}
