package subst

import (
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Scalar substitutes one scalar node. It returns keep=false when the node
// is a lone placeholder of an unset optional parameter.
func (s *Subster) Scalar(n *yaml.Node) (*yaml.Node, bool) {
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
			if s.Origins != nil {
				s.Origins.Derive(v, n)
			}
		}
		return v, true
	}
	text, from, changed := s.Text(n, n.Value)
	if !changed {
		return n, true
	}
	out := *n
	out.Value = text
	out.Tag = yamlio.TagStr
	if s.Origins != nil {
		// A problem in the text (a literal secret) is most likely in the
		// value a hook gave: point at that value when its file is known.
		if _, known := s.Origins.File[from]; known {
			out.Line, out.Column = from.Line, from.Column
			s.Origins.Derive(&out, from)
		} else {
			s.Origins.Derive(&out, n)
		}
	}
	return &out, true
}

// String substitutes placeholders in a string (not a node) and reports
// problems at n.
func (s *Subster) String(n *yaml.Node, in string) string {
	out, _, _ := s.Text(n, in)
	return out
}

// Text interpolates every placeholder in str. from is the first
// parameter value it inserted, if any.
func (s *Subster) Text(n *yaml.Node, str string) (out string, from *yaml.Node, changed bool) {
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
			if HasPlaceholderPrefix(rest) {
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
		if !HasPlaceholderPrefix(rest) {
			b.WriteString("$(")
			str = rest
			continue
		}
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			s.Errorf(n, "unterminated placeholder %q: add the closing parenthesis, or write $$( for a literal $(", Clip("$("+rest, 40))
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

// HasPlaceholderPrefix reports whether s starts like a placeholder's name (params., app., ...).
func HasPlaceholderPrefix(s string) bool {
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
	if !HasPlaceholderPrefix(key) || strings.ContainsAny(key, "()$") {
		return "", false
	}
	return key, true
}

// lookup resolves a placeholder key ("app.name", "params.webhook.key").
// found=false means a problem was reported; a nil node with found=true is an
// unset optional parameter.
func (s *Subster) lookup(n *yaml.Node, key string) (*yaml.Node, bool) {
	prefix, rest, _ := strings.Cut(key, ".")
	if prefix == "params" {
		if name, field, ok := cutRepeat(rest); ok {
			return s.lookupElement(n, key, name, field)
		}
	}
	if !validKey(rest) {
		s.Errorf(n, "malformed placeholder $(%s): use letters, digits, '_', '-' and '.'", Clip(key, 60))
		return nil, false
	}
	switch prefix {
	case "app":
		get, ok := hookspec.AppKeys[rest]
		if !ok {
			s.Errorf(n, "unknown placeholder $(%s)%s", key, hookspec.Suggest(rest, SortedKeys(hookspec.AppKeys)))
			return nil, false
		}
		return yamlio.NewStr(get(s.Scope.App)), true
	case "hook":
		if s.Scope.Hook == nil {
			s.Errorf(n, "$(%s) is only known inside a hook", key)
			return nil, false
		}
		v, ok := s.Scope.Hook[rest]
		if !ok {
			s.Errorf(n, "unknown placeholder $(%s)%s", key, hookspec.Suggest(rest, hookspec.HookKeys))
			return nil, false
		}
		return yamlio.NewStr(v), true
	case "env":
		v, ok := s.Scope.Env[rest]
		if !ok && !s.Scope.OpenEnv {
			s.Errorf(n, "$(%s): the Application sets no plugin env %s (ARGOCD_ENV_%s); add it to spec.source.plugin.env (Argo CD 2.x drops empty values)", key, rest, rest)
			return nil, false
		}
		return yamlio.NewStr(v), true
	case "runner":
		if rest != "image" {
			s.Errorf(n, "unknown placeholder $(%s) (known: runner.image)", key)
			return nil, false
		}
		return yamlio.NewStr(s.Scope.Runner), true
	case "params":
		if s.Scope.Params == nil {
			s.Errorf(n, "$(%s): parameters can only be used in a template's job", key)
			return nil, false
		}
		name, field, hasField := strings.Cut(rest, ".")
		p, ok := s.Scope.Params[name]
		if !ok {
			s.Errorf(n, "unknown parameter in $(%s)%s", key, hookspec.Suggest(name, SortedKeys(s.Scope.Params)))
			return nil, false
		}
		if !hasField {
			if p.Node == nil {
				return nil, true
			}
			return s.copy(p.Node), true
		}
		if p.Typ != hookspec.ParamMap && p.Typ != hookspec.ParamSecretKeyRef && p.Typ != hookspec.ParamKeyRef {
			s.Errorf(n, "$(%s): parameter %q is a %s and has no fields", key, name, p.Typ)
			return nil, false
		}
		if p.Node == nil {
			return nil, true
		}
		v := yamlio.MapGet(p.Node, field)
		if v == nil && p.Typ == hookspec.ParamKeyRef && slices.Contains(keyRefKinds, field) {
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
func (s *Subster) lookupElement(n *yaml.Node, key, name, field string) (*yaml.Node, bool) {
	if s.Scope.Params == nil {
		s.Errorf(n, "$(%s): parameters can only be used in a template's job", key)
		return nil, false
	}
	p, ok := s.Scope.Params[name]
	if !ok {
		s.Errorf(n, "unknown parameter in $(%s)%s", key, hookspec.Suggest(name, SortedKeys(s.Scope.Params)))
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
	switch p.Typ {
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
			s.Errorf(n, "$(%s): the elements of %s parameter %q have no fields", key, p.Typ, name)
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
