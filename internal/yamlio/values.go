package yamlio

import (
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
