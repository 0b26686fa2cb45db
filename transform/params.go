package transform

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var secretKeyRE = lazyRE(`^[-._a-zA-Z0-9]+$`)

// checkParamValue checks a value against a parameter type. It returns ""
// when the value fits, else the rest of a sentence ("must be ..."). It never
// quotes the value: it may be a secret.
func checkParamValue(t ParamType, n *yaml.Node) string {
	switch t {
	case ParamString:
		if n.Kind != yaml.ScalarNode || isNull(n) {
			return "must be a string, not " + kindName(n)
		}
	case ParamInt:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != tagInt {
			return "must be an integer, not " + kindName(n)
		}
	case ParamBool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != tagBool {
			return "must be true or false, not " + kindName(n)
		}
	case ParamList:
		if n.Kind != yaml.SequenceNode {
			return "must be a list, not " + kindName(n)
		}
	case ParamMap:
		if n.Kind != yaml.MappingNode {
			return "must be a mapping, not " + kindName(n)
		}
	case ParamSecretKeyRef:
		return checkSecretKeyRef(n, false)
	}
	return ""
}

// checkSecretKeyRef checks a {secret: NAME, key: KEY} reference. Before
// substitution a name may still be a placeholder; once substituted, what
// looks like one is text (an escaped $$( for instance) and must be a name.
func checkSecretKeyRef(n *yaml.Node, substituted bool) string {
	const want = "must be a reference to a Secret, {secret: NAME, key: KEY}"
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode {
			return want + ": a literal value would be written into the Job for anyone to read; store it in a Secret"
		}
		return want + ", not " + kindName(n)
	}
	var secret, key *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; k {
		case "secret":
			secret = n.Content[i+1]
		case "key":
			key = n.Content[i+1]
		default:
			return fmt.Sprintf("%s; unknown field %q", want, k)
		}
	}
	if secret == nil || key == nil {
		return want + "; both fields are required"
	}
	// Placeholders are checked once they are substituted.
	placeholder := func(s string) bool { return !substituted && hasPlaceholder(s) }
	if secret.Kind != yaml.ScalarNode || (!isDNSSubdomain(secret.Value) && !placeholder(secret.Value)) {
		return "must name a Secret: secret must be a DNS-1123 subdomain"
	}
	if key.Kind != yaml.ScalarNode || (!secretKeyRE.MatchString(key.Value) && !placeholder(key.Value)) {
		return "must name a Secret key: key may hold letters, digits, '-', '_' and '.'"
	}
	return ""
}

func hasPlaceholder(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '(' && hasPlaceholderPrefix(s[i+2:]) {
			return true
		}
	}
	return false
}

// normalizeParam gives a string parameter's scalar the !!str tag, so that
// `tag: 1.10` stays the text "1.10" wherever it is inserted.
func normalizeParam(t ParamType, n *yaml.Node) *yaml.Node {
	if t == ParamString && n.Kind == yaml.ScalarNode && n.ShortTag() != tagStr {
		c := *n
		c.Tag = tagStr
		c.Style = 0
		return &c
	}
	return n
}
