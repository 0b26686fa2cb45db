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

func Str(v any) string { s, _ := v.(string); return s }

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

func IsTrue(v any) bool { b, ok := v.(bool); return ok && b }

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

func IsZero(v any) bool { f, ok := Number(v); return ok && f == 0 }

func List(v any) []any { l, _ := v.([]any); return l }

func Obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
