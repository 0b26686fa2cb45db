package emit

import (
	"io"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/jobgen"
	"github.com/hookgen/hookgen/internal/manifest"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Result is what a successful run produces: the application's own
// resources and the generated hook Jobs, each in output order.
type Result struct {
	Manifests []*manifest.Manifest
	Jobs      []*jobgen.Job
	// Notes are remarks on a successful run, for the log: what hookgen
	// left as it was and why (a Helm test hook it could not convert).
	Notes problem.Problems
	// ArgoCD is the Argo CD release the run was made for (Context.ArgoCD).
	ArgoCD hookspec.ArgoCDVersion
}

// WriteTo prints the resources as one YAML stream: the application's own
// first, then the hooks in the order Argo CD runs them.
func (r *Result) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	var scratch []byte // one buffer for every document encoded
	write := func(n *yaml.Node) (err error) {
		scratch, err = yamlio.EncodeNodeBuf(cw, n, scratch)
		return err
	}
	first := true
	sep := func() {
		if !first {
			io.WriteString(cw, "---\n")
		}
		first = false
	}
	for _, m := range r.Manifests {
		sep()
		if m.Raw != nil {
			cw.Write(m.Raw)
		} else if err := write(m.Tree); err != nil {
			return cw.n, err
		}
		if cw.err != nil {
			return cw.n, cw.err
		}
	}
	for _, j := range r.Jobs {
		sep()
		if err := write(j.Node); err != nil {
			return cw.n, err
		}
		if cw.err != nil {
			return cw.n, cw.err
		}
	}
	return cw.n, cw.err
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}
