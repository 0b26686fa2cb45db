package subst

import (
	"fmt"
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Substitution of $(...) placeholders works on the parsed tree, one scalar at
// a time, in a single pass: a value that is inserted is never scanned again,
// so a value can neither change the structure around it nor smuggle in a
// placeholder of its own.
//
//   - A plain scalar that is exactly one placeholder takes the value's whole
//     node: a list stays a list, an integer stays an integer. An optional
//     parameter without a value removes the mapping entry or list item.
//     A quoted one ("$(params.port)") asks for a string and gets the text.
//   - Inside a longer string each placeholder must be a scalar and is
//     written as text (an unset optional parameter as "").
//   - Only the prefixes params., app., hook., env. and runner. are
//     placeholders. $(OTHER) is Kubernetes' own expansion and stays as it
//     is, and so does Kubernetes' escape $$(OTHER); $$(app.name) writes a
//     literal $(app.name).
//   - $(params.x[*]) stands for each element of parameter x in turn: the
//     nearest list item that holds it (not looking into lists nested in the
//     item) is repeated once per element, in place, and dropped when x has
//     none; a list left with no item is dropped with its key. The elements
//     of a list are its items; of a map, its entries in key order, read
//     as $(params.x[*].key) and $(params.x[*].value); of a secretKeyRef,
//     the reference, read as $(params.x[*].secret) and
//     $(params.x[*].key); of a keyRef, the reference, read as
//     $(params.x[*].configMap) or $(params.x[*].secret), and
//     $(params.x[*].key), where an item that reads .configMap is written
//     only for a ConfigMap's key and one that reads .secret only for a
//     Secret's; of a string, int or bool, the value. An unset
//     optional parameter has none, a set scalar one. So a flag is given
//     once per value, and only when there is one:
//
//	args: ["--to=$(params.to[*])", "--header=$(params.headers[*].key): $(params.headers[*].value)"]
//	env:  [{name: SMTP_PASSWORD, valueFrom: {secretKeyRef: {name: $(params.password[*].secret), key: $(params.password[*].key)}}}]
//
//     Inside each copy the element follows the rules above: alone it takes
//     the element's whole node, inside a longer string it is text. One
//     item repeats for one parameter.

var placeholderPrefixes = []string{"params.", "app.", "hook.", "env.", "runner."}

// Scope holds the values placeholders resolve to.
type Scope struct {
	App  hookspec.App
	Hook map[string]string // nil outside a hook
	Env  map[string]string
	// OpenEnv answers every env.X (checking a template, which may use any).
	OpenEnv bool
	Runner  string
	Params  map[string]*ParamValue // nil where params.* is not allowed
}

// ParamValue is a parameter's value for one hook: nil node when an
// optional parameter has none.
type ParamValue struct {
	Typ  hookspec.ParamType
	Node *yaml.Node
}

// substError is a problem found while substituting, at a node.
type substError struct {
	Node *yaml.Node
	Msg  string
}

// Subster substitutes placeholders into trees and collects problems.
type Subster struct {
	Scope   *Scope
	Origins *problem.Origins // nil: origins are not tracked
	// Dollars says how a context value (app.*, env.*, hook.*, runner.*:
	// text from Argo CD or the repository, never written for Kubernetes)
	// is inserted: as is, escaped for Kubernetes' $(VAR) expansion (its
	// destination is known to be expanded), or with each "$" marked for
	// untaint (inserted into a hook's values or a template's job, where
	// the destination is known only once the job is assembled).
	Dollars dollarMode
	Errs    []substError
	// elems are the elements of the list items being repeated, innermost last.
	elems []*element
}

// element is one element of a parameter that repeats a list item.
type element struct {
	param      string
	typ        hookspec.ParamType
	node       *yaml.Node // a list item, a scalar value or a secretKeyRef
	key, value *yaml.Node // a map entry
}

// How a context value's "$" is written; see subster.dollars.
type dollarMode int

const (
	dollarsAsIs dollarMode = iota
	DollarsEscaped
	DollarsMarked
)

// MarkedDollar stands for a "$" of a context value until untaint knows
// whether Kubernetes expands the place it landed in. It is a Unicode
// noncharacter, which no text holds.
const MarkedDollar = "\ufdd0"

// contextValue writes a context value in the subster's mode.
func (s *Subster) contextValue(v string) string {
	switch s.Dollars {
	case DollarsEscaped:
		return EscapeExpansion(v)
	case DollarsMarked:
		return strings.ReplaceAll(v, "$", MarkedDollar)
	}
	return v
}

// EscapeExpansion makes v come out of Kubernetes' $(VAR) expansion (of a
// container's command, args and env values) exactly as written: the
// kubelet reads "$$" as "$", so every "$" is doubled, and a "$(NAME)" in
// v is never replaced by a variable of the container.
func EscapeExpansion(v string) string {
	return strings.ReplaceAll(v, "$", "$$")
}

// Untaint resolves the marked dollars of a substituted JobSpec, Job or
// pod: escaped in the command, args and env values of every container,
// init container and ephemeral container (where Kubernetes expands
// $(VAR)), plain "$" everywhere else.
func Untaint(n *yaml.Node) {
	var walk func(n *yaml.Node, expanded bool)
	walk = func(n *yaml.Node, expanded bool) {
		switch n.Kind {
		case yaml.ScalarNode:
			if strings.Contains(n.Value, MarkedDollar) {
				with := "$"
				if expanded {
					with = "$$"
				}
				n.Value = strings.ReplaceAll(n.Value, MarkedDollar, with)
			}
		case yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, expanded)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i], false)
				v := n.Content[i+1]
				switch n.Content[i].Value {
				case "containers", "initContainers", "ephemeralContainers":
					if v.Kind == yaml.SequenceNode {
						for _, c := range v.Content {
							untaintContainer(c, walk)
						}
						continue
					}
				}
				walk(v, expanded)
			}
		}
	}
	walk(n, false)
}

// untaintContainer resolves the marked dollars of one container.
func untaintContainer(c *yaml.Node, walk func(*yaml.Node, bool)) {
	if c.Kind != yaml.MappingNode {
		walk(c, false)
		return
	}
	for i := 0; i+1 < len(c.Content); i += 2 {
		k, v := c.Content[i].Value, c.Content[i+1]
		switch {
		case k == "command" || k == "args":
			walk(v, true)
		case k == "env" && v.Kind == yaml.SequenceNode:
			for _, e := range v.Content {
				if e.Kind != yaml.MappingNode {
					walk(e, false)
					continue
				}
				for j := 0; j+1 < len(e.Content); j += 2 {
					walk(e.Content[j+1], e.Content[j].Value == "value")
				}
			}
		default:
			walk(v, false)
		}
	}
}

func (s *Subster) copy(n *yaml.Node) *yaml.Node {
	if s.Origins == nil {
		return yamlio.CopyNode(n)
	}
	return s.Origins.Copy(n)
}

// Errorf records a problem at n.
func (s *Subster) Errorf(n *yaml.Node, format string, args ...any) {
	s.Errs = append(s.Errs, substError{Node: n, Msg: fmt.Sprintf(format, args...)})
}

// Tree substitutes placeholders in every string scalar under n, in place,
// and returns the (possibly replaced) root. A root that resolves to nothing
// (an unset optional parameter) comes back nil.
func (s *Subster) Tree(n *yaml.Node) *yaml.Node {
	switch n.Kind {
	case yaml.ScalarNode:
		out, keep := s.Scalar(n)
		if !keep {
			return nil
		}
		return out
	case yaml.MappingNode:
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			v := n.Content[i+1]
			had := v.Kind == yaml.SequenceNode && len(v.Content) > 0
			v = s.Tree(v)
			if v == nil || (had && v.Kind == yaml.SequenceNode && len(v.Content) == 0) {
				continue // unset, or a list whose every item was dropped
			}
			kept = append(kept, n.Content[i], v)
		}
		n.Content = kept
	case yaml.SequenceNode:
		kept := make([]*yaml.Node, 0, len(n.Content))
		for _, item := range n.Content {
			names := map[string]bool{}
			repeatNames(item, names)
			switch len(names) {
			case 0:
				if v := s.Tree(item); v != nil {
					kept = append(kept, v)
				}
			case 1:
				for name := range names {
					kept = append(kept, s.repeat(item, name)...)
				}
			default:
				list := make([]string, 0, len(names))
				for _, name := range SortedKeys(names) {
					list = append(list, "$(params."+name+"[*])")
				}
				s.Errorf(item, "a list item repeats for one parameter only; this one uses %s", strings.Join(list, " and "))
			}
		}
		n.Content = kept
	}
	return n
}
