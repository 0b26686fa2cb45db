package hookset

import (
	"fmt"
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/lazyre"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var secretKeyRE = lazyre.New(`^[-._a-zA-Z0-9]+$`)

// CheckParamValue checks a value against a parameter type. It returns ""
// when the value fits, else the rest of a sentence ("must be ..."). It never
// quotes the value: it may be a secret.
func CheckParamValue(t hookspec.ParamType, n *yaml.Node) string {
	switch t {
	case hookspec.ParamString:
		if n.Kind != yaml.ScalarNode || yamlio.IsNull(n) {
			return "must be a string, not " + yamlio.KindName(n)
		}
	case hookspec.ParamInt:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != yamlio.TagInt {
			return "must be an integer, not " + yamlio.KindName(n)
		}
	case hookspec.ParamBool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != yamlio.TagBool {
			return "must be true or false, not " + yamlio.KindName(n)
		}
	case hookspec.ParamList:
		if n.Kind != yaml.SequenceNode {
			return "must be a list, not " + yamlio.KindName(n)
		}
	case hookspec.ParamMap:
		if n.Kind != yaml.MappingNode {
			return "must be a mapping, not " + yamlio.KindName(n)
		}
	case hookspec.ParamSecretKeyRef:
		return checkSecretKeyRef(n, false)
	case hookspec.ParamKeyRef:
		return checkKeyRef(n, false)
	}
	return ""
}

// CheckParamRef checks a value of a secretKeyRef or keyRef parameter
// once its placeholders are substituted; "" when it fits.
func CheckParamRef(t hookspec.ParamType, n *yaml.Node) string {
	switch t {
	case hookspec.ParamSecretKeyRef:
		return checkSecretKeyRef(n, true)
	case hookspec.ParamKeyRef:
		return checkKeyRef(n, true)
	}
	return ""
}

// checkKeyRef checks a {configMap: NAME, key: KEY} or {secret: NAME, key:
// KEY} reference. The key becomes a file name in a volume, so it must be
// one Kubernetes accepts as a ConfigMap key: not "." and not starting
// with "..".
func checkKeyRef(n *yaml.Node, substituted bool) string {
	const want = "must be a reference to a key of a ConfigMap or a Secret, {configMap: NAME, key: KEY} or {secret: NAME, key: KEY}"
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode {
			return want + ": the content itself is not accepted; store it in a ConfigMap or a Secret"
		}
		return want + ", not " + yamlio.KindName(n)
	}
	var name, key *yaml.Node
	kind := ""
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; k {
		case "configMap", "secret":
			if name != nil {
				return want + "; give configMap or secret, not both"
			}
			kind, name = k, n.Content[i+1]
		case "key":
			key = n.Content[i+1]
		default:
			return fmt.Sprintf("%s; unknown field %q", want, k)
		}
	}
	if name == nil || key == nil {
		return want + "; configMap or secret, and key, are required"
	}
	placeholder := func(s string) bool { return !substituted && hasPlaceholder(s) }
	object := "a ConfigMap"
	if kind == "secret" {
		object = "a Secret"
	}
	if name.Kind != yaml.ScalarNode || (!IsDNSSubdomain(name.Value) && !placeholder(name.Value)) {
		return fmt.Sprintf("must name %s: %s must be a DNS-1123 subdomain", object, kind)
	}
	if key.Kind == yaml.ScalarNode && placeholder(key.Value) {
		return ""
	}
	if key.Kind != yaml.ScalarNode || !secretKeyRE.MatchString(key.Value) || len(key.Value) > 253 {
		return fmt.Sprintf("must name a key of %s: key may hold letters, digits, '-', '_' and '.' (at most 253)", object)
	}
	if key.Value == "." || strings.HasPrefix(key.Value, "..") {
		return fmt.Sprintf("must name a key of %s: key must not be '.' or start with '..'", object)
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
		return want + ", not " + yamlio.KindName(n)
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
	if secret.Kind != yaml.ScalarNode || (!IsDNSSubdomain(secret.Value) && !placeholder(secret.Value)) {
		return "must name a Secret: secret must be a DNS-1123 subdomain"
	}
	if key.Kind != yaml.ScalarNode || (!secretKeyRE.MatchString(key.Value) && !placeholder(key.Value)) {
		return "must name a Secret key: key may hold letters, digits, '-', '_' and '.'"
	}
	return ""
}

func hasPlaceholder(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '(' && subst.HasPlaceholderPrefix(s[i+2:]) {
			return true
		}
	}
	return false
}

// NormalizeParam gives a string parameter's scalar the !!str tag, so that
// `tag: 1.10` stays the text "1.10" wherever it is inserted.
func NormalizeParam(t hookspec.ParamType, n *yaml.Node) *yaml.Node {
	if t == hookspec.ParamString && n.Kind == yaml.ScalarNode && n.ShortTag() != yamlio.TagStr {
		c := *n
		c.Tag = yamlio.TagStr
		c.Style = 0
		return &c
	}
	return n
}
