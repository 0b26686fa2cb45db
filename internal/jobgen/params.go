package jobgen

import (
	"fmt"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// paramValue turns an Application parameter's text into a value of the
// parameter's type.
func parseParamText(t hookspec.ParamType, text string) (*yaml.Node, string) {
	if t == hookspec.ParamString {
		return yamlio.NewStr(text), ""
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil || len(doc.Content) != 1 {
		return nil, fmt.Sprintf("is not a valid %s value", t)
	}
	ps := &problem.Collector{}
	n, ok := yamlio.Expand(hookspec.ParametersFile, doc.Content[0], yamlio.NodeBudget{MaxNodes: 10_000, MaxDepth: 20, Name: "max-nodes"}, ps)
	if !ok || !ps.Empty() {
		return nil, fmt.Sprintf("is not a valid %s value", t)
	}
	return n, ""
}
