package canon

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Error is why a tree has no single JSON value, at the node that says so.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// MaxVisits bounds the nodes one Value call visits, aliases expanded.
const MaxVisits = 1 << 22

// Value returns the JSON value sigs.k8s.io/yaml's YAMLToJSON gives the
// text of n, as encoding/json's Decoder with UseNumber reads it back.
func Value(n *yaml.Node) (any, error) {
	d := &decoder{}
	v, err := d.value(n)
	if err != nil {
		return nil, err
	}
	if err := firstLate(v); err != nil {
		return nil, err
	}
	return v, nil
}

// late is an error go-yaml v2 does not make while decoding but
// sigs.k8s.io/yaml makes when it converts the result to JSON: only a
// value that is still there at the end fails (a later key may replace
// it).
type late struct{ err *Error }

// firstLate returns the late error in v on the first line, or nil.
func firstLate(v any) error {
	var first *Error
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case late:
			if first == nil || v.err.Line < first.Line || v.err.Line == first.Line && v.err.Column < first.Column {
				first = v.err
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	if first == nil {
		return nil
	}
	return first
}

type decoder struct {
	visits  int
	aliases map[*yaml.Node]bool // aliases being expanded: a cycle is an error
}

func fail(n *yaml.Node, format string, args ...any) *Error {
	e := &Error{Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

func (d *decoder) visit(n *yaml.Node) error {
	if d.visits++; d.visits > MaxVisits {
		return fail(n, "more than %d values once aliases are expanded", MaxVisits)
	}
	return nil
}

func (d *decoder) value(n *yaml.Node) (any, error) {
	if n == nil || n.Kind == 0 {
		return nil, nil // an empty document
	}
	if err := d.visit(n); err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return d.value(n.Content[0])
	case yaml.AliasNode:
		target, err := d.alias(n)
		if err != nil {
			return nil, err
		}
		defer delete(d.aliases, n)
		return d.value(target)
	case yaml.ScalarNode:
		v, err := scalar(n)
		if err != nil {
			return nil, err
		}
		jv, err := jsonValue(n, v)
		if err != nil {
			return late{err.(*Error)}, nil
		}
		return jv, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := d.value(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		m := &mapping{entries: make([]entry, 0, len(n.Content)/2)}
		if err := d.mapping(n, m); err != nil {
			return nil, err
		}
		v, err := m.json()
		if err != nil {
			return late{err.(*Error)}, nil
		}
		return v, nil
	}
	return nil, fail(n, "unknown node kind %d", n.Kind)
}

func (d *decoder) alias(n *yaml.Node) (*yaml.Node, error) {
	if n.Alias == nil {
		return nil, fail(n, "unknown anchor %q", n.Value)
	}
	if d.aliases[n] {
		return nil, fail(n, "anchor %q value contains itself", n.Value)
	}
	if d.aliases == nil {
		d.aliases = map[*yaml.Node]bool{}
	}
	d.aliases[n] = true
	return n.Alias, nil
}

// scalar resolves a scalar as go-yaml v2 does once the node is written:
// nil, bool, int64, uint64, float64, string or timestamp.
func scalar(n *yaml.Node) (any, error) {
	tag := shortTag(n.Tag)
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0
	// What kyaml's encoder writes (go-yaml v3 encoder.node): the tag is
	// left out when asked for no tag, for a quoted string, or when the
	// text alone resolves to it; a string that would resolve to something
	// else is quoted; any other tag is written.
	if n.Style&yaml.TaggedStyle == 0 || tag == "" {
		switch {
		case tag == "" || tag == TagStr && quoted || tag == Tag12(n.Value):
			if quoted {
				return n.Value, nil
			}
			tag = "" // plain: resolved by YAML 1.1 rules
		case tag == TagStr:
			return n.Value, nil // quoted by the encoder
		}
	}
	// Any other tag is written out: `!!int 12`.
	if tag == TagBinary {
		b, err := base64.StdEncoding.DecodeString(n.Value)
		if err != nil {
			return nil, fail(n, "!!binary value contains invalid base64 data")
		}
		return string(b), nil
	}
	rtag, v, ok := resolve11(tag, n.Value)
	if !ok {
		return nil, fail(n, "cannot decode %s `%s` as a %s", rtag, n.Value, tag)
	}
	return v, nil
}

// jsonValue is what encoding/json makes of a resolved scalar, read back.
func jsonValue(n *yaml.Node, v any) (any, error) {
	switch v := v.(type) {
	case nil, bool:
		return v, nil
	case string:
		return validString(v), nil
	case timestamp:
		return validString(string(v)), nil
	case int64:
		return json.Number(strconv.FormatInt(v, 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(v, 10)), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fail(n, "json: unsupported value: %s", strconv.FormatFloat(v, 'g', -1, 64))
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fail(n, "%v", err)
		}
		return json.Number(b), nil
	}
	return nil, fail(n, "unexpected scalar %T", v)
}

// validString is s as encoding/json writes it: each invalid UTF-8 byte
// becomes U+FFFD.
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}

// keyID identifies a go-yaml v2 map key: its Go type and value.
type keyID struct {
	kind byte // 's' string, 'i' int64, 'u' uint64, 'f' float64, 'b' bool, 'n' null
	s    string
	nan  int // NaN keys are all different
}

type entry struct {
	key  *yaml.Node
	id   keyID
	kval any // the key's resolved value
	val  any
}

// mapping is a go-yaml v2 map[interface{}]interface{} being filled: later
// keys replace earlier ones, in the order go-yaml sets them. Most
// mappings have a few keys, found by a scan; index is made only for one
// that outgrows indexFrom.
type mapping struct {
	entries []entry
	index   map[keyID]int
	nans    int
}

const indexFrom = 16

func (m *mapping) find(id keyID) (int, bool) {
	if m.index != nil {
		i, ok := m.index[id]
		return i, ok
	}
	for i := range m.entries {
		if m.entries[i].id == id {
			return i, true
		}
	}
	return 0, false
}

func (m *mapping) set(key *yaml.Node, kval, val any) {
	var id keyID
	switch k := kval.(type) {
	case nil:
		id = keyID{kind: 'n'}
	case string:
		id = keyID{kind: 's', s: k}
	case timestamp:
		id = keyID{kind: 's', s: string(k)}
	case bool:
		id = keyID{kind: 'b', s: strconv.FormatBool(k)}
	case int64:
		id = keyID{kind: 'i', s: strconv.FormatInt(k, 10)}
	case uint64:
		id = keyID{kind: 'u', s: strconv.FormatUint(k, 10)}
	case float64:
		id = keyID{kind: 'f', s: strconv.FormatFloat(k, 'g', -1, 64)}
		if math.IsNaN(k) {
			m.nans++
			id.nan = m.nans
		}
	}
	if i, ok := m.find(id); ok {
		m.entries[i].val = val
		return
	}
	m.entries = append(m.entries, entry{key: key, id: id, kval: kval, val: val})
	switch {
	case m.index != nil:
		m.index[id] = len(m.entries) - 1
	case len(m.entries) > indexFrom:
		m.index = make(map[keyID]int, 2*len(m.entries))
		for i, e := range m.entries {
			m.index[e.id] = i
		}
	}
}

// json converts the keys to strings as sigs.k8s.io/yaml does.
func (m *mapping) json() (any, error) {
	out := make(map[string]any, len(m.entries))
	for i, e := range m.entries {
		s, err := keyString(e.key, e.kval)
		if err != nil {
			return nil, err
		}
		if _, dup := out[s]; dup {
			return nil, fail(e.key, "key %q is also written another way (line %d): which one Kubernetes keeps is not defined", s, m.firstLine(s, i))
		}
		out[s] = e.val
	}
	return out, nil
}

// firstLine is the line of the first of the entries before end whose
// JSON key is s.
func (m *mapping) firstLine(s string, end int) int {
	for _, e := range m.entries[:end] {
		if k, err := keyString(e.key, e.kval); err == nil && k == s && e.key != nil {
			return e.key.Line
		}
	}
	return 0
}

// mapping fills m with the pairs of n, merge keys included, as go-yaml v2
// does: in order, a merge setting every key of what it merges.
func (d *decoder) mapping(n *yaml.Node, m *mapping) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMerge(k) {
			if err := d.merge(v, m); err != nil {
				return err
			}
			continue
		}
		if err := d.visit(k); err != nil {
			return err
		}
		kn := k
		for kn.Kind == yaml.AliasNode {
			target, err := d.alias(kn)
			if err != nil {
				return err
			}
			delete(d.aliases, kn)
			kn = target
		}
		if kn.Kind != yaml.ScalarNode {
			return fail(k, "invalid map key: a %s", kindName(kn))
		}
		kval, err := scalar(kn)
		if err != nil {
			return err
		}
		val, err := d.value(v)
		if err != nil {
			return err
		}
		m.set(k, kval, val)
	}
	return nil
}

// isMerge is go-yaml v2's: a plain "<<" key, or one tagged !!merge.
func isMerge(k *yaml.Node) bool {
	if k.Kind != yaml.ScalarNode || k.Value != "<<" {
		return false
	}
	if k.Style&yaml.TaggedStyle != 0 {
		return shortTag(k.Tag) == TagMerge
	}
	return k.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

func (d *decoder) merge(v *yaml.Node, m *mapping) error {
	if err := d.visit(v); err != nil {
		return err
	}
	one := func(n *yaml.Node) error {
		target := n
		if n.Kind == yaml.AliasNode {
			t, err := d.alias(n)
			if err != nil {
				return err
			}
			defer delete(d.aliases, n)
			target = t
		}
		if target.Kind != yaml.MappingNode {
			return fail(n, "map merge requires map or sequence of maps as the value")
		}
		return d.mapping(target, m)
	}
	switch v.Kind {
	case yaml.MappingNode, yaml.AliasNode:
		return one(v)
	case yaml.SequenceNode:
		// Backwards: earlier maps take precedence.
		for i := len(v.Content) - 1; i >= 0; i-- {
			if c := v.Content[i]; c.Kind != yaml.MappingNode && c.Kind != yaml.AliasNode {
				return fail(c, "map merge requires map or sequence of maps as the value")
			}
			if err := one(v.Content[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return fail(v, "map merge requires map or sequence of maps as the value")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node"
}

// keyString is the JSON key sigs.k8s.io/yaml makes of a mapping key whose
// resolved value is kval.
func keyString(key *yaml.Node, kval any) (string, error) {
	var s string
	switch k := kval.(type) {
	case string:
		s = k
	case timestamp:
		s = string(k)
	case bool:
		s = strconv.FormatBool(k)
	case int64:
		s = strconv.FormatInt(k, 10)
	case float64:
		s = strconv.FormatFloat(k, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
	case nil:
		return "", fail(key, "unsupported map key: null")
	default:
		return "", fail(key, "unsupported map key of type %T: %v", k, k)
	}
	return validString(s), nil
}

// Key returns the JSON key Kubernetes reads in one scalar mapping key, as
// Value would: a plain yes is "true", 0x1F is "31".
func Key(n *yaml.Node) (string, error) {
	v, err := scalar(n)
	if err != nil {
		return "", err
	}
	return keyString(n, v)
}

// Scalar returns the JSON value of one scalar node, as Value would.
func Scalar(n *yaml.Node) (any, error) {
	v, err := scalar(n)
	if err != nil {
		return nil, err
	}
	return jsonValue(n, v)
}
