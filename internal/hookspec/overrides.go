package hookspec

import (
	"strings"

	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ParamText writes a value as an Application parameter's text: a scalar
// as itself, anything else as one line of flow YAML.
func ParamText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	c := yamlio.CopyNode(n)
	var flow func(*yaml.Node)
	flow = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			n.Style = yaml.FlowStyle
		}
		n.HeadComment, n.LineComment, n.FootComment = "", "", ""
		for _, k := range n.Content {
			flow(k)
		}
	}
	flow(c)
	var b strings.Builder
	if err := yamlio.EncodeNode(&b, c); err != nil {
		return ""
	}
	return strings.TrimSpace(b.String())
}
