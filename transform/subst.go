package transform

import (
	"fmt"
	"slices"
	"sort"
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

// scope holds the values placeholders resolve to.
type scope struct {
	app  hookspec.App
	hook map[string]string // nil outside a hook
	env  map[string]string
	// openEnv answers every env.X (checking a template, which may use any).
	openEnv bool
	runner  string
	params  map[string]*paramValue // nil where params.* is not allowed
}

// paramValue is a parameter's value for one hook: nil node when an
// optional parameter has none.
type paramValue struct {
	typ  hookspec.ParamType
	node *yaml.Node
}

// substError is a problem found while substituting, at a node.
type substError struct {
	node *yaml.Node
	msg  string
}

// subster substitutes placeholders into trees and collects problems.
type subster struct {
	scope   *scope
	origins *problem.Origins // nil: origins are not tracked
	// dollars says how a context value (app.*, env.*, hook.*, runner.*:
	// text from Argo CD or the repository, never written for Kubernetes)
	// is inserted: as is, escaped for Kubernetes' $(VAR) expansion (its
	// destination is known to be expanded), or with each "$" marked for
	// untaint (inserted into a hook's values or a template's job, where
	// the destination is known only once the job is assembled).
	dollars dollarMode
	errs    []substError
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
	dollarsEscaped
	dollarsMarked
)

// markedDollar stands for a "$" of a context value until untaint knows
// whether Kubernetes expands the place it landed in. It is a Unicode
// noncharacter, which no text holds.
const markedDollar = "\ufdd0"

// contextValue writes a context value in the subster's mode.
func (s *subster) contextValue(v string) string {
	switch s.dollars {
	case dollarsEscaped:
		return escapeExpansion(v)
	case dollarsMarked:
		return strings.ReplaceAll(v, "$", markedDollar)
	}
	return v
}

// escapeExpansion makes v come out of Kubernetes' $(VAR) expansion (of a
// container's command, args and env values) exactly as written: the
// kubelet reads "$$" as "$", so every "$" is doubled, and a "$(NAME)" in
// v is never replaced by a variable of the container.
func escapeExpansion(v string) string {
	return strings.ReplaceAll(v, "$", "$$")
}

// untaint resolves the marked dollars of a substituted JobSpec, Job or
// pod: escaped in the command, args and env values of every container,
// init container and ephemeral container (where Kubernetes expands
// $(VAR)), plain "$" everywhere else.
func untaint(n *yaml.Node) {
	var walk func(n *yaml.Node, expanded bool)
	walk = func(n *yaml.Node, expanded bool) {
		switch n.Kind {
		case yaml.ScalarNode:
			if strings.Contains(n.Value, markedDollar) {
				with := "$"
				if expanded {
					with = "$$"
				}
				n.Value = strings.ReplaceAll(n.Value, markedDollar, with)
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

func (s *subster) copy(n *yaml.Node) *yaml.Node {
	if s.origins == nil {
		return yamlio.CopyNode(n)
	}
	return s.origins.Copy(n)
}

func (s *subster) Errorf(n *yaml.Node, format string, args ...any) {
	s.errs = append(s.errs, substError{node: n, msg: fmt.Sprintf(format, args...)})
}

// tree substitutes placeholders in every string scalar under n, in place,
// and returns the (possibly replaced) root. A root that resolves to nothing
// (an unset optional parameter) comes back nil.
func (s *subster) tree(n *yaml.Node) *yaml.Node {
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
			v = s.tree(v)
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
				if v := s.tree(item); v != nil {
					kept = append(kept, v)
				}
			case 1:
				for name := range names {
					kept = append(kept, s.repeat(item, name)...)
				}
			default:
				list := make([]string, 0, len(names))
				for _, name := range sortedKeys(names) {
					list = append(list, "$(params."+name+"[*])")
				}
				s.Errorf(item, "a list item repeats for one parameter only; this one uses %s", strings.Join(list, " and "))
			}
		}
		n.Content = kept
	}
	return n
}

// repeat substitutes a list item once per element of the named parameter
// and returns the copies. With no element the item is checked against a
// stand-in, so that a mistake in it shows even when the list is empty,
// and dropped.
func (s *subster) repeat(item *yaml.Node, name string) []*yaml.Node {
	p := s.scope.params[name]
	if p == nil {
		// Reported by lookup: params.* is not allowed here, or unknown.
		if v := s.tree(item); v != nil {
			return []*yaml.Node{v}
		}
		return nil
	}
	elems := elementsOf(name, p)
	if p.typ == hookspec.ParamKeyRef {
		elems = keepKeyRefElems(item, name, elems)
	}
	if len(elems) == 0 {
		s.elems = append(s.elems, probeElement(name, p.typ))
		s.tree(s.copy(item))
		s.elems = s.elems[:len(s.elems)-1]
		return nil
	}
	var out []*yaml.Node
	for _, e := range elems {
		s.elems = append(s.elems, e)
		if v := s.tree(s.copy(item)); v != nil {
			out = append(out, v)
		}
		s.elems = s.elems[:len(s.elems)-1]
	}
	return out
}

// elementsOf lists a parameter's elements (see the rules above).
func elementsOf(name string, p *paramValue) []*element {
	if p.node == nil {
		return nil
	}
	switch p.typ {
	case hookspec.ParamList:
		out := make([]*element, 0, len(p.node.Content))
		for _, item := range p.node.Content {
			out = append(out, &element{param: name, typ: p.typ, node: item})
		}
		return out
	case hookspec.ParamMap:
		entries := map[string]*element{}
		for i := 0; i+1 < len(p.node.Content); i += 2 {
			k := p.node.Content[i]
			entries[k.Value] = &element{param: name, typ: p.typ, key: k, value: p.node.Content[i+1]}
		}
		out := make([]*element, 0, len(entries))
		for _, k := range sortedKeys(entries) {
			out = append(out, entries[k])
		}
		return out
	}
	return []*element{{param: name, typ: p.typ, node: p.node}}
}

// probeElement is a stand-in element of a parameter of type t.
func probeElement(name string, t hookspec.ParamType) *element {
	switch t {
	case hookspec.ParamList:
		return &element{param: name, typ: t, node: yamlio.NewStr("x")}
	case hookspec.ParamMap:
		return &element{param: name, typ: t, key: yamlio.NewStr("k"), value: yamlio.NewStr("v")}
	}
	return &element{param: name, typ: t, node: standIn(t)}
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

// Scalar substitutes one scalar node. It returns keep=false when the node
// is a lone placeholder of an unset optional parameter.
func (s *subster) Scalar(n *yaml.Node) (*yaml.Node, bool) {
	if n.ShortTag() != yamlio.TagStr || !strings.Contains(n.Value, "$(") {
		return n, true
	}
	if key, ok := lonePlaceholder(n.Value); ok && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		v, found := s.lookup(n, key)
		if !found {
			return n, true // reported by lookup
		}
		if v == nil {
			return nil, false
		}
		if !strings.HasPrefix(key, "params.") {
			// A context value takes the place (and origin) of its placeholder.
			v.Value = s.contextValue(v.Value)
			v.Line, v.Column, v.Style = n.Line, n.Column, n.Style
			if s.origins != nil {
				s.origins.Derive(v, n)
			}
		}
		return v, true
	}
	text, from, changed := s.text(n, n.Value)
	if !changed {
		return n, true
	}
	out := *n
	out.Value = text
	out.Tag = yamlio.TagStr
	if s.origins != nil {
		// A problem in the text (a literal secret) is most likely in the
		// value a hook gave: point at that value when its file is known.
		if _, known := s.origins.File[from]; known {
			out.Line, out.Column = from.Line, from.Column
			s.origins.Derive(&out, from)
		} else {
			s.origins.Derive(&out, n)
		}
	}
	return &out, true
}

// String substitutes placeholders in a string (not a node) and reports
// problems at n.
func (s *subster) String(n *yaml.Node, in string) string {
	out, _, _ := s.text(n, in)
	return out
}

// text interpolates every placeholder in str. from is the first
// parameter value it inserted, if any.
func (s *subster) text(n *yaml.Node, str string) (out string, from *yaml.Node, changed bool) {
	var b strings.Builder
	for {
		i := strings.Index(str, "$(")
		if i < 0 {
			b.WriteString(str)
			return b.String(), from, changed
		}
		rest := str[i+2:]
		if i > 0 && str[i-1] == '$' {
			// "$$(": hookgen's escape before one of its own prefixes, else Kubernetes'.
			if hasPlaceholderPrefix(rest) {
				b.WriteString(str[:i-1])
				b.WriteString("$(")
				changed = true
			} else {
				b.WriteString(str[:i+2])
			}
			str = rest
			continue
		}
		b.WriteString(str[:i])
		if !hasPlaceholderPrefix(rest) {
			b.WriteString("$(")
			str = rest
			continue
		}
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			s.Errorf(n, "unterminated placeholder %q: add the closing parenthesis, or write $$( for a literal $(", clip("$("+rest, 40))
			return str, nil, false
		}
		key := rest[:end]
		str = rest[end+1:]
		changed = true
		v, found := s.lookup(n, key)
		if !found {
			continue
		}
		if v == nil {
			continue // unset optional parameter: ""
		}
		if v.Kind != yaml.ScalarNode {
			s.Errorf(n, "$(%s) is %s and can only stand alone as the whole value, not inside a string", key, yamlio.KindName(v))
			continue
		}
		if !strings.HasPrefix(key, "params.") {
			b.WriteString(s.contextValue(v.Value))
			continue
		}
		if from == nil {
			from = v
		}
		b.WriteString(v.Value)
	}
}

func hasPlaceholderPrefix(s string) bool {
	for _, p := range placeholderPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// lonePlaceholder reports whether s is exactly one placeholder.
func lonePlaceholder(s string) (string, bool) {
	if !strings.HasPrefix(s, "$(") || !strings.HasSuffix(s, ")") {
		return "", false
	}
	key := s[2 : len(s)-1]
	if !hasPlaceholderPrefix(key) || strings.ContainsAny(key, "()$") {
		return "", false
	}
	return key, true
}

// lookup resolves a placeholder key ("app.name", "params.webhook.key").
// found=false means a problem was reported; a nil node with found=true is an
// unset optional parameter.
func (s *subster) lookup(n *yaml.Node, key string) (*yaml.Node, bool) {
	prefix, rest, _ := strings.Cut(key, ".")
	if prefix == "params" {
		if name, field, ok := cutRepeat(rest); ok {
			return s.lookupElement(n, key, name, field)
		}
	}
	if !validKey(rest) {
		s.Errorf(n, "malformed placeholder $(%s): use letters, digits, '_', '-' and '.'", clip(key, 60))
		return nil, false
	}
	switch prefix {
	case "app":
		get, ok := hookspec.AppKeys[rest]
		if !ok {
			s.Errorf(n, "unknown placeholder $(%s)%s", key, hookspec.Suggest(rest, sortedKeys(hookspec.AppKeys)))
			return nil, false
		}
		return yamlio.NewStr(get(s.scope.app)), true
	case "hook":
		if s.scope.hook == nil {
			s.Errorf(n, "$(%s) is only known inside a hook", key)
			return nil, false
		}
		v, ok := s.scope.hook[rest]
		if !ok {
			s.Errorf(n, "unknown placeholder $(%s)%s", key, hookspec.Suggest(rest, hookspec.HookKeys))
			return nil, false
		}
		return yamlio.NewStr(v), true
	case "env":
		v, ok := s.scope.env[rest]
		if !ok && !s.scope.openEnv {
			s.Errorf(n, "$(%s): the Application sets no plugin env %s (ARGOCD_ENV_%s); add it to spec.source.plugin.env (Argo CD 2.x drops empty values)", key, rest, rest)
			return nil, false
		}
		return yamlio.NewStr(v), true
	case "runner":
		if rest != "image" {
			s.Errorf(n, "unknown placeholder $(%s) (known: runner.image)", key)
			return nil, false
		}
		return yamlio.NewStr(s.scope.runner), true
	case "params":
		if s.scope.params == nil {
			s.Errorf(n, "$(%s): parameters can only be used in a template's job", key)
			return nil, false
		}
		name, field, hasField := strings.Cut(rest, ".")
		p, ok := s.scope.params[name]
		if !ok {
			s.Errorf(n, "unknown parameter in $(%s)%s", key, hookspec.Suggest(name, sortedKeys(s.scope.params)))
			return nil, false
		}
		if !hasField {
			if p.node == nil {
				return nil, true
			}
			return s.copy(p.node), true
		}
		if p.typ != hookspec.ParamMap && p.typ != hookspec.ParamSecretKeyRef && p.typ != hookspec.ParamKeyRef {
			s.Errorf(n, "$(%s): parameter %q is a %s and has no fields", key, name, p.typ)
			return nil, false
		}
		if p.node == nil {
			return nil, true
		}
		v := yamlio.MapGet(p.node, field)
		if v == nil && p.typ == hookspec.ParamKeyRef && slices.Contains(keyRefKinds, field) {
			return nil, true // a reference to the other kind of object
		}
		if v == nil {
			s.Errorf(n, "$(%s): parameter %q has no field %q", key, name, field)
			return nil, false
		}
		return s.copy(v), true
	}
	return nil, false
}

// lookupElement resolves $(params.x[*]) and $(params.x[*].field) to the
// element of x that the enclosing list item is being repeated for.
func (s *subster) lookupElement(n *yaml.Node, key, name, field string) (*yaml.Node, bool) {
	if s.scope.params == nil {
		s.Errorf(n, "$(%s): parameters can only be used in a template's job", key)
		return nil, false
	}
	p, ok := s.scope.params[name]
	if !ok {
		s.Errorf(n, "unknown parameter in $(%s)%s", key, hookspec.Suggest(name, sortedKeys(s.scope.params)))
		return nil, false
	}
	var e *element
	for i := len(s.elems) - 1; i >= 0; i-- {
		if s.elems[i].param == name {
			e = s.elems[i]
			break
		}
	}
	if e == nil {
		s.Errorf(n, "$(%s) stands for each element of parameter %q in turn: use it in an item of a list, which is repeated for each element", key, name)
		return nil, false
	}
	var v *yaml.Node
	switch p.typ {
	case hookspec.ParamMap:
		switch field {
		case "key":
			v = e.key
		case "value":
			v = e.value
		default:
			s.Errorf(n, "$(%s): the elements of map parameter %q are entries: use $(params.%s[*].key) and $(params.%s[*].value)", key, name, name, name)
			return nil, false
		}
	case hookspec.ParamSecretKeyRef:
		if field != "secret" && field != "key" {
			s.Errorf(n, "$(%s): the element of secretKeyRef parameter %q is the reference: use $(params.%s[*].secret) and $(params.%s[*].key)", key, name, name, name)
			return nil, false
		}
		v = yamlio.MapGet(e.node, field)
		if v == nil {
			s.Errorf(n, "$(%s): parameter %q has no field %q", key, name, field)
			return nil, false
		}
	case hookspec.ParamKeyRef:
		if field != "key" && !slices.Contains(keyRefKinds, field) {
			s.Errorf(n, "$(%s): the element of keyRef parameter %q is the reference: use $(params.%s[*].configMap) or $(params.%s[*].secret), and $(params.%s[*].key)", key, name, name, name, name)
			return nil, false
		}
		v = yamlio.MapGet(e.node, field)
		if v == nil && field != "key" {
			return nil, true // a reference to the other kind of object
		}
		if v == nil {
			s.Errorf(n, "$(%s): parameter %q has no field %q", key, name, field)
			return nil, false
		}
	default:
		if field != "" {
			s.Errorf(n, "$(%s): the elements of %s parameter %q have no fields", key, p.typ, name)
			return nil, false
		}
		v = e.node
	}
	return s.copy(v), true
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// clip shortens s for a message.
func clip(s string, n int) string {
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
	maxExpandedNodes = 100_000
	maxExpandedBytes = 3 << 20
)

// expansionCost bounds from above what substituting n produces: nodes
// and bytes of text, saturating at the bounds (so that it stops early).
// It follows tree: a list item repeats once per element of its
// parameter, a lone placeholder takes its value's whole node, and a
// placeholder in a string adds its value's text.
func (s *subster) expansionCost(n *yaml.Node) (nodes, bytes int) {
	var walk func(n *yaml.Node, reps int)
	over := func() bool { return nodes > maxExpandedNodes || bytes > maxExpandedBytes }
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
					if p := s.scope.params[name]; p != nil {
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
func (s *subster) scalarCost(n *yaml.Node) (nodes, bytes int) {
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
		p := s.scope.params[name]
		if p == nil || p.node == nil {
			continue
		}
		ns, bs := treeSize(p.node)
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

const satMax = 1 << 40

func satAdd(a, b int) int { return min(a+b, satMax) }

func satMul(a, b int) int {
	if a != 0 && b > satMax/a {
		return satMax
	}
	return min(a*b, satMax)
}
