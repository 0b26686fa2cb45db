package yamlio

import (
	"encoding/json"
	"strconv"

	"github.com/hookgen/hookgen/internal/canon"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ValueOf is the value Kubernetes reads in a node of a generated Job
// (canonical form): nil for none, or one it cannot read.
func ValueOf(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	v, err := canon.Value(n)
	if err != nil {
		return nil
	}
	return v
}

// Str returns v if it is a string, else "".
func Str(v any) string { s, _ := v.(string); return s }

// Get follows path through nested objects; nil where it leads nowhere.
func Get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// IsTrue reports whether v is the boolean true.
func IsTrue(v any) bool { b, ok := v.(bool); return ok && b }

// IsFalse reports whether v is the boolean false.
func IsFalse(v any) bool { b, ok := v.(bool); return ok && !b }

// Number reads a JSON number; ok is false for anything else.
func Number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return f, err == nil
}

// IsZero reports whether v is the number 0.
func IsZero(v any) bool { f, ok := Number(v); return ok && f == 0 }

// List returns v if it is a list, else nil.
func List(v any) []any { l, _ := v.([]any); return l }

// Obj returns v if it is an object, else nil.
func Obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
