package problem

import (
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// origins remembers which file each node of a hook came from, through every
// copy and substitution, so that a problem found in a generated Job (a
// literal secret, a policy violation) names the file and line that caused
// it: a hookgen.yaml for a `with` value, a template file for the template's
// own text.
type Origins struct {
	File map[*yaml.Node]string
}

// NewOrigins returns an empty record of origins.
func NewOrigins() *Origins { return &Origins{File: map[*yaml.Node]string{}} }

// mark records file as the origin of n and everything under it.
func (o *Origins) Mark(file string, n *yaml.Node) {
	if n == nil {
		return
	}
	o.File[n] = file
	for _, c := range n.Content {
		o.Mark(file, c)
	}
}

// derive records that n was made from src.
func (o *Origins) Derive(n, src *yaml.Node) {
	if f, ok := o.File[src]; ok {
		o.File[n] = f
	}
}

// copy deep-copies n, keeping origins.
func (o *Origins) Copy(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, k := range n.Content {
			c.Content[i] = o.Copy(k)
		}
	}
	o.Derive(&c, n)
	return &c
}

// pos returns where n came from, or fallback for nodes hookgen made.
func (o *Origins) Pos(n *yaml.Node, fallback Pos) Pos {
	if n == nil || n.Line == 0 {
		return fallback
	}
	if f, ok := o.File[n]; ok {
		return Pos{File: f, Line: n.Line, Col: n.Column}
	}
	return fallback
}
