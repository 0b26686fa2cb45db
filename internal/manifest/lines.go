package manifest

import (
	"bytes"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// lineFinder finds where a decoded value is written in a file, for
// messages: the line of the first scalar that holds it (a block scalar
// holding inline configuration: the line within it), else 0 (the whole
// file).
type lineFinder struct {
	docs []*yaml.Node
}

func newLineFinder(data []byte) *lineFinder {
	lf := &lineFinder{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for len(lf.docs) < 1000 {
		var doc yaml.Node
		if dec.Decode(&doc) != nil {
			break
		}
		lf.docs = append(lf.docs, &doc)
	}
	return lf
}

// value returns the line of the first scalar holding v.
func (lf *lineFinder) value(v string) int {
	return lf.find(func(n *yaml.Node) (int, bool) {
		if n.Kind != yaml.ScalarNode || v == "" {
			return 0, false
		}
		at := strings.Index(n.Value, v)
		return at, at >= 0
	})
}

// key returns the line of the first mapping key that is k, in any case.
func (lf *lineFinder) key(k string) int {
	return lf.find(func(n *yaml.Node) (int, bool) {
		return 0, n.Kind == yaml.ScalarNode && strings.EqualFold(n.Value, k)
	})
}

func (lf *lineFinder) find(match func(*yaml.Node) (int, bool)) int {
	seen := 0
	var walk func(n *yaml.Node) int
	walk = func(n *yaml.Node) int {
		if n == nil || n.Kind == yaml.AliasNode || seen > 100_000 {
			return 0
		}
		seen++
		if at, ok := match(n); ok {
			line := n.Line
			if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				// A block scalar's text starts below its indicator.
				line += 1 + strings.Count(n.Value[:at], "\n")
			}
			return line
		}
		for _, c := range n.Content {
			if l := walk(c); l != 0 {
				return l
			}
		}
		return 0
	}
	for _, d := range lf.docs {
		if l := walk(d); l != 0 {
			return l
		}
	}
	return 0
}
