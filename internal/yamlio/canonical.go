package yamlio

import (
	"encoding/json"
	"strconv"

	"github.com/hookgen/hookgen/internal/canon"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Canonical form. A tree hookgen prints again is written so that YAML 1.1
// readers (Kubernetes, Argo CD, kubectl: sigs.k8s.io/yaml) and YAML 1.2
// readers (kyaml) read the same value: booleans true and false, integers
// in decimal, null as null, and strings quoted wherever either would read
// something else (yes, on, 0777, 0o17, 1_000, null, 2001-12-14). Block
// collections, no comments, multi-line text in block style. Once written
// so, canon.Value of the tree is the value the API server decodes, and
// that is what every check reads.

// Canonical writes a generated Job (or a part of one) in canonical form.
// Its scalars mean what hookgen's own files say (YAML 1.2, as hookgen
// reads hookgen.yaml and templates): a string stays that string, quoted
// where it must be; True is true, 0x0 is 0.
func Canonical(n *yaml.Node) { canonicalTree(n, true) }

// CanonicalRead writes one of the application's own documents in
// canonical form. Its scalars mean what Kubernetes reads in its text
// (YAML 1.1): a plain yes stays true, written true.
func CanonicalRead(n *yaml.Node) { canonicalTree(n, false) }

func canonicalTree(n *yaml.Node, yaml12 bool) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	switch n.Kind {
	case yaml.ScalarNode:
		canonicalScalar(n, yaml12)
	case yaml.MappingNode:
		n.Style &^= yaml.FlowStyle | yaml.TaggedStyle
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			k.HeadComment, k.LineComment, k.FootComment = "", "", ""
			// A key of one of the application's documents is written as
			// the JSON key Kubernetes reads in it: a plain yes key is
			// "true" (written quoted, so that YAML 1.2 readers agree).
			quoted := k.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
			switch {
			case k.Kind != yaml.ScalarNode:
			case k.ShortTag() == TagStr && (yaml12 || quoted):
				canonicalString(k, k.Value)
			case !yaml12:
				if key, err := canon.Key(k); err == nil {
					canonicalString(k, key)
				}
			}
			canonicalTree(n.Content[i+1], yaml12)
		}
	default:
		n.Style &^= yaml.FlowStyle | yaml.TaggedStyle
		for _, c := range n.Content {
			canonicalTree(c, yaml12)
		}
	}
}

func canonicalScalar(n *yaml.Node, yaml12 bool) {
	if yaml12 && n.ShortTag() == TagStr {
		canonicalString(n, n.Value)
		return
	}
	probe := *n
	if yaml12 {
		// Read by its tag, the way hookgen's decoder read it.
		probe.Tag, probe.Style = n.ShortTag(), yaml.TaggedStyle
	}
	v, err := canon.Scalar(&probe)
	if err != nil {
		return // a value with no JSON form: the judge reports it
	}
	switch v := v.(type) {
	case string:
		canonicalString(n, v)
	case bool:
		n.Tag, n.Value, n.Style = TagBool, strconv.FormatBool(v), 0
	case nil:
		n.Tag, n.Value, n.Style = TagNull, "null", 0
	case json.Number:
		s := string(v)
		if s == "-0" {
			s = "-0.0" // a float: -0 would read as the integer 0
		}
		n.Tag, n.Value, n.Style = canon.Tag12(s), s, 0
	}
}

// canonicalString writes a string scalar: block style kept for text over
// lines, quoted where a plain scalar would read as something else.
func canonicalString(n *yaml.Node, s string) {
	n.Tag, n.Value = TagStr, s
	n.Style &= yaml.LiteralStyle | yaml.FoldedStyle
	if canon.NeedsQuotes(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
}
