package subst

import (
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// repeat substitutes a list item once per element of the named parameter
// and returns the copies. With no element the item is checked against a
// stand-in, so that a mistake in it shows even when the list is empty,
// and dropped.
func (s *Subster) repeat(item *yaml.Node, name string) []*yaml.Node {
	p := s.Scope.Params[name]
	if p == nil {
		// Reported by lookup: params.* is not allowed here, or unknown.
		if v := s.Tree(item); v != nil {
			return []*yaml.Node{v}
		}
		return nil
	}
	elems := elementsOf(name, p)
	if p.Typ == hookspec.ParamKeyRef {
		elems = keepKeyRefElems(item, name, elems)
	}
	if len(elems) == 0 {
		s.elems = append(s.elems, probeElement(name, p.Typ))
		s.Tree(s.copy(item))
		s.elems = s.elems[:len(s.elems)-1]
		return nil
	}
	var out []*yaml.Node
	for _, e := range elems {
		s.elems = append(s.elems, e)
		if v := s.Tree(s.copy(item)); v != nil {
			out = append(out, v)
		}
		s.elems = s.elems[:len(s.elems)-1]
	}
	return out
}

// elementsOf lists a parameter's elements (see the rules above).
func elementsOf(name string, p *ParamValue) []*element {
	if p.Node == nil {
		return nil
	}
	switch p.Typ {
	case hookspec.ParamList:
		out := make([]*element, 0, len(p.Node.Content))
		for _, item := range p.Node.Content {
			out = append(out, &element{param: name, typ: p.Typ, node: item})
		}
		return out
	case hookspec.ParamMap:
		entries := map[string]*element{}
		for i := 0; i+1 < len(p.Node.Content); i += 2 {
			k := p.Node.Content[i]
			entries[k.Value] = &element{param: name, typ: p.Typ, key: k, value: p.Node.Content[i+1]}
		}
		out := make([]*element, 0, len(entries))
		for _, k := range SortedKeys(entries) {
			out = append(out, entries[k])
		}
		return out
	}
	return []*element{{param: name, typ: p.Typ, node: p.Node}}
}

// probeElement is a stand-in element of a parameter of type t.
func probeElement(name string, t hookspec.ParamType) *element {
	switch t {
	case hookspec.ParamList:
		return &element{param: name, typ: t, node: yamlio.NewStr("x")}
	case hookspec.ParamMap:
		return &element{param: name, typ: t, key: yamlio.NewStr("k"), value: yamlio.NewStr("v")}
	}
	return &element{param: name, typ: t, node: StandIn(t)}
}

// repeatNames collects the parameters whose elements repeat the list item
// n: those of the $(params.x[*]) placeholders in n's string scalars, not
// looking into lists nested in n (their own items repeat).
func repeatNames(n *yaml.Node, into map[string]bool) {
	repeatRefs(n, func(name, _ string) { into[name] = true })
}

// repeatRefs calls ref with the parameter and field (maybe "") of each
// $(params.x[*]) placeholder in n's string scalars, not looking into lists
// nested in n.
func repeatRefs(n *yaml.Node, ref func(name, field string)) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() != yamlio.TagStr || !strings.Contains(n.Value, "[*]") {
			return
		}
		str := n.Value
		for {
			i := strings.Index(str, "$(")
			if i < 0 {
				return
			}
			rest := str[i+2:]
			if i > 0 && str[i-1] == '$' {
				str = rest // escaped: $$(
				continue
			}
			end := strings.IndexByte(rest, ')')
			if end < 0 {
				return
			}
			if key, ok := strings.CutPrefix(rest[:end], "params."); ok {
				if name, field, ok := cutRepeat(key); ok {
					ref(name, field)
				}
			}
			str = rest[end+1:]
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			repeatRefs(n.Content[i], ref)
		}
	}
}

// keyRefKinds are the fields of a keyRef that name the object, one of
// which a reference has.
var keyRefKinds = []string{"configMap", "secret"}

// keepKeyRefElems keeps the elements of keyRef parameter name that item
// can be written for: an item that reads $(params.x[*].configMap) is for
// a ConfigMap's key, one that reads $(params.x[*].secret) for a Secret's.
func keepKeyRefElems(item *yaml.Node, name string, elems []*element) []*element {
	reads := map[string]bool{}
	repeatRefs(item, func(n, field string) {
		if n == name {
			reads[field] = true
		}
	})
	kept := elems[:0:0]
	for _, e := range elems {
		ok := true
		for _, kind := range keyRefKinds {
			if reads[kind] && yamlio.MapGet(e.node, kind) == nil {
				ok = false
			}
		}
		if ok {
			kept = append(kept, e)
		}
	}
	return kept
}

// cutRepeat splits "x[*]" and "x[*].field" into the parameter and the
// field; ok is false for keys without [*] right after the name, or
// malformed ones (reported by lookup).
func cutRepeat(key string) (name, field string, ok bool) {
	name, rest, found := strings.Cut(key, "[*]")
	if !found || !validKey(name) || strings.Contains(name, ".") {
		return "", "", false
	}
	if rest == "" {
		return name, "", true
	}
	field, isField := strings.CutPrefix(rest, ".")
	if !isField || !validKey(field) || strings.Contains(field, ".") {
		return "", "", false
	}
	return name, field, true
}
