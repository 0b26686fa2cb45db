package subst

import (
	"math"
	"sort"
	"strings"

	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Clip shortens s for a message.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Expansion is costed before it runs: a template whose $(params.x[*])
// items nest, or whose strings repeat a large value, could otherwise
// multiply a small input into gigabytes. A Job must fit in what the API
// server stores (1.5 MiB in etcd), so these bounds refuse nothing
// Kubernetes would accept.
const (
	MaxExpandedNodes = 100_000
	MaxExpandedBytes = 3 << 20
)

// ExpansionCost bounds from above what substituting n produces: nodes
// and bytes of text, saturating at the bounds (so that it stops early).
// It follows tree: a list item repeats once per element of its
// parameter, a lone placeholder takes its value's whole node, and a
// placeholder in a string adds its value's text.
func (s *Subster) ExpansionCost(n *yaml.Node) (nodes, bytes int) {
	var walk func(n *yaml.Node, reps int)
	over := func() bool { return nodes > MaxExpandedNodes || bytes > MaxExpandedBytes }
	walk = func(n *yaml.Node, reps int) {
		if over() {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			ns, bs := s.scalarCost(n)
			nodes = satAdd(nodes, satMul(ns, reps))
			bytes = satAdd(bytes, satMul(bs, reps))
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				nodes = satAdd(nodes, reps)
				bytes = satAdd(bytes, satMul(len(n.Content[i].Value), reps))
				walk(n.Content[i+1], reps)
			}
		case yaml.SequenceNode:
			for _, item := range n.Content {
				names := map[string]bool{}
				repeatNames(item, names)
				k := 1
				for name := range names {
					if p := s.Scope.Params[name]; p != nil {
						k = len(elementsOf(name, p))
					}
				}
				if k > 0 {
					walk(item, satMul(reps, k))
				}
			}
		default:
			nodes = satAdd(nodes, reps)
		}
	}
	walk(n, 1)
	return nodes, bytes
}

// scalarCost bounds the nodes and bytes one scalar becomes.
func (s *Subster) scalarCost(n *yaml.Node) (nodes, bytes int) {
	if n.ShortTag() != yamlio.TagStr || !strings.Contains(n.Value, "$(") {
		return 1, len(n.Value)
	}
	nodes, bytes = 1, len(n.Value)
	str := n.Value
	for {
		i := strings.Index(str, "$(")
		if i < 0 {
			return nodes, bytes
		}
		rest := str[i+2:]
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nodes, bytes
		}
		key := rest[:end]
		str = rest[end+1:]
		name, ok := strings.CutPrefix(key, "params.")
		if !ok {
			bytes = satAdd(bytes, 2*4096) // a context value: short, doubled at most by escaping
			continue
		}
		if base, _, ok := cutRepeat(name); ok {
			name = base
		} else {
			name, _, _ = strings.Cut(name, ".")
		}
		p := s.Scope.Params[name]
		if p == nil || p.Node == nil {
			continue
		}
		ns, bs := treeSize(p.Node)
		nodes = satAdd(nodes, ns)
		bytes = satAdd(bytes, bs)
	}
}

// treeSize counts the nodes and the bytes of text of a tree (alias-free,
// as parameter values are).
func treeSize(n *yaml.Node) (nodes, bytes int) {
	nodes, bytes = 1, len(n.Value)
	for _, c := range n.Content {
		ns, bs := treeSize(c)
		nodes, bytes = satAdd(nodes, ns), satAdd(bytes, bs)
	}
	return nodes, bytes
}

// satMax caps the sums: far above any limit, and twice it still fits an
// int on 32-bit platforms.
const satMax = math.MaxInt >> 2

func satAdd(a, b int) int { return min(a+b, satMax) }

func satMul(a, b int) int {
	if a != 0 && b > satMax/a {
		return satMax
	}
	return min(a*b, satMax)
}
