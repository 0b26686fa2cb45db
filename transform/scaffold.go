package transform

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// SchemaURL is where editors find the JSON Schema of hookgen.yaml.
const SchemaURL = "https://raw.githubusercontent.com/hookgen/hookgen/main/schema/hookset.schema.json"

// Scaffold writes a commented hookgen.yaml that declares one hook per
// named template, in the order given. What the person must decide is left
// empty (YAML null) with a comment saying so: every required parameter,
// and the phase of a template without a default one. An empty value is
// the same as no value, so the file fails validation until each is filled
// in, naming what is missing. Optional parameters follow as comments,
// with their defaults.
//
// A policy (nil for none) adds what it makes every hook set: the
// resources it requires and a TTL, as required defaults. A template the
// policy does not allow is an error.
func Scaffold(ts Templates, policy *HookPolicy, names []string) ([]byte, error) {
	seen := map[string]bool{}
	var b strings.Builder
	b.WriteString("# yaml-language-server: $schema=" + SchemaURL + "\n")
	b.WriteString(`#
# The hooks Argo CD runs for this application. hookgen expands each one,
# through its template, into a hardened Job with Argo CD's hook
# annotations. Fill in every value marked "required", then check the file
# and see what Argo CD will receive:
#   hookgen validate     # every problem, with its line
#   hookgen explain      # when each hook runs
#   hookgen render       # the manifests, hooks included
apiVersion: ` + APIVersion + `
kind: ` + KindHookSet + `
`)
	b.WriteString(scaffoldDefaults(policy))
	b.WriteString("hooks:\n")
	for i, name := range names {
		t := ts[name]
		switch {
		case t == nil:
			return nil, fmt.Errorf("unknown template %q%s", name, hookspec.Suggest(name, ts.Names()))
		case seen[name]:
			return nil, fmt.Errorf("template %q is named twice", name)
		case policy != nil && !policy.AllowsTemplate(t):
			return nil, fmt.Errorf("the platform's policy does not let hooks use template %q", name)
		}
		seen[name] = true
		if i > 0 {
			b.WriteString("\n")
		}
		// A hook the platform injects keeps its name.
		hook := name
		for n := 2; injects(policy, hook); n++ {
			hook = fmt.Sprintf("%s-%d", name, n)
		}
		b.WriteString(ScaffoldHook(t, hook, "  "))
	}
	b.WriteString(scaffoldFields())
	return []byte(b.String()), nil
}

// injects reports whether the policy injects a hook of that name.
func injects(policy *HookPolicy, name string) bool {
	if policy == nil {
		return false
	}
	for _, ih := range policy.Spec.Inject {
		if ih.Hook.Name == name {
			return true
		}
	}
	return false
}

// ScaffoldHook writes one hook entry named name that uses t, indented by
// indent, in the style of Scaffold.
func ScaffoldHook(t *HookTemplate, name, indent string) string {
	var b strings.Builder
	line := func(depth int, s string) {
		b.WriteString(indent + strings.Repeat("  ", depth) + s + "\n")
	}
	comment := func(depth int, text string) {
		for _, l := range wrapWords(text, 76-len(indent)-2*depth) {
			line(depth, "# "+l)
		}
	}
	if d := strings.Join(strings.Fields(t.Spec.Description), " "); d != "" {
		comment(0, t.Metadata.Name+": "+d)
	}
	line(0, "- name: "+name)
	line(1, "uses: "+t.Metadata.Name)
	allowed := hookset.PhaseList()
	if len(t.Spec.Phases) > 0 {
		allowed = strings.Join(t.Spec.Phases, ", ")
	}
	if d := t.Spec.Defaults; d != nil && len(d.Phase) > 0 {
		line(1, fmt.Sprintf("# phase: %s  # the template's default; it runs in %s", strings.Join(d.Phase, ", "), allowed))
	} else {
		line(1, "phase:  # required: one of "+allowed)
	}
	var required, optional []Param
	for _, p := range t.Spec.Params {
		if p.Required {
			required = append(required, p)
		} else {
			optional = append(optional, p)
		}
	}
	if len(t.Spec.Params) == 0 {
		return b.String()
	}
	line(1, "with:")
	for _, p := range required {
		comment(2, paramComment(p, "required"))
		line(2, p.Name+":")
	}
	for _, p := range optional {
		comment(2, paramComment(p, "optional"))
		v := p.DefaultText()
		if v == "" {
			v = typeExample(p.Type)
		} else if p.Default.Kind == yaml.ScalarNode && (p.Type == ParamString || p.Type == "") {
			v = scalarYAML(v)
		}
		line(2, "# "+p.Name+": "+v)
	}
	return b.String()
}

// paramComment describes a parameter in a comment.
func paramComment(p Param, need string) string {
	typ := string(p.Type)
	if typ == "" {
		typ = string(ParamString)
	}
	s := "(" + need + ", " + typ
	switch p.Type {
	case ParamSecretKeyRef:
		s += ": {secret: NAME, key: KEY}"
	case ParamKeyRef:
		s += ": {configMap: NAME, key: KEY} or {secret: NAME, key: KEY}"
	}
	s += ")"
	if d := strings.Join(strings.Fields(p.Description), " "); d != "" {
		s = d + " " + s
	}
	return s
}

// typeExample is what an optional parameter without a default looks like.
func typeExample(t ParamType) string {
	switch t {
	case ParamInt:
		return "0"
	case ParamBool:
		return "false"
	case ParamList:
		return "[]"
	case ParamMap:
		return "{}"
	case ParamSecretKeyRef:
		return "{secret: NAME, key: KEY}"
	case ParamKeyRef:
		return "{configMap: NAME, key: KEY}"
	}
	return `""`
}

// scalarYAML writes a string as a YAML scalar, quoted where YAML needs it.
func scalarYAML(s string) string {
	if strings.ContainsAny(s, "\n\r") {
		return fmt.Sprintf("%q", s) // one line, escapes YAML reads alike
	}
	n := yamlio.NewStr(s)
	yamlio.Canonical(n)
	var b strings.Builder
	if err := yamlio.EncodeNode(&b, n); err != nil {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// wrapWords fills text into lines of at most width characters.
func wrapWords(text string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(text) {
		if cur != "" && len(cur)+1+len(w) > width {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// scaffoldFields writes, as comments, the fields every hook takes.
func scaffoldFields() string {
	var names []string
	for _, f := range HookFields {
		names = append(names, f.Name)
	}
	var b strings.Builder
	b.WriteString("\n  # Every hook also takes (see the schema, or hookgen templates show NAME):\n")
	for _, l := range wrapWords(strings.Join(names, ", "), 72) {
		b.WriteString("  #   " + l + "\n")
	}
	return b.String()
}

// scaffoldDefaults writes a defaults section for what the policy makes
// every hook set, or nothing.
func scaffoldDefaults(policy *HookPolicy) string {
	if policy == nil || policy.Spec.Bounds == nil {
		return ""
	}
	bd := policy.Spec.Bounds
	var b strings.Builder
	res := map[string][]string{}
	for _, r := range bd.RequireResources {
		kind, name, _ := strings.Cut(r, ".")
		if !slices.Contains(res[kind], name) {
			res[kind] = append(res[kind], name)
		}
	}
	if len(res) == 0 && !bd.RequireTTLSecondsAfterFinished {
		return ""
	}
	b.WriteString("# The platform's policy makes every hook set these.\ndefaults:\n")
	if len(res) > 0 {
		b.WriteString("  resources:\n")
		for _, kind := range []string{"requests", "limits"} {
			if len(res[kind]) == 0 {
				continue
			}
			b.WriteString("    " + kind + ":\n")
			for _, name := range res[kind] {
				hint := ""
				if max, ok := bd.MaxResources[name]; ok {
					hint = ", at most " + string(max)
				}
				b.WriteString("      " + name + ":  # required (a quantity such as 100m or 128Mi" + hint + ")\n")
			}
		}
	}
	if bd.RequireTTLSecondsAfterFinished {
		b.WriteString("  ttlSecondsAfterFinished:  # required (seconds to keep a finished Job)\n")
	}
	return b.String()
}
