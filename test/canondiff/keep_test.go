package canondiff

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hookgen/hookgen/internal/canon"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Benchmarks of canon against the libraries that could take its place:
// reading a tree's value with canon.Value, or writing the tree and reading
// the text back with sigs.k8s.io/yaml (what the API server does), and
// deciding whether a string must be quoted with canon.NeedsQuotes, or
// with a YAML 1.1 parse per string (kyaml's IsValueNonString) and a YAML
// 1.2 one. The inputs are the Jobs of golden cases; each pair first
// checks that both ways agree on them.
//
//	go test -run '^$' -bench Keep -benchmem

// keepJobs are the trees of the generated Jobs of a few golden cases.
func keepJobs(b *testing.B) []*yaml.Node {
	b.Helper()
	var out []*yaml.Node
	for _, c := range []string{"all-phases", "template-slack", "template-job", "all-knobs"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", c, "expected.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		d := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			if d.Decode(&n) != nil {
				break
			}
			if k := yaml.NewRNode(&n).GetKind(); k == "Job" {
				out = append(out, &n)
			}
		}
	}
	if len(out) < 20 {
		b.Fatalf("%d Jobs in the golden cases, want at least 20", len(out))
	}
	return out
}

func encode(b *testing.B, n *yaml.Node) []byte {
	b.Helper()
	var buf bytes.Buffer
	e := yaml.NewEncoder(&buf)
	if err := e.Encode(n); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkKeepValue(b *testing.B) {
	jobs := keepJobs(b)
	texts := make([][]byte, len(jobs))
	for i, j := range jobs {
		texts[i] = encode(b, j)
		got, err := canon.Value(j)
		want, oerr := oracle(texts[i])
		if err != nil || oerr != nil || !reflect.DeepEqual(got, want) {
			b.Fatalf("Job %d: canon and sigs.k8s.io/yaml disagree (%v, %v)", i, err, oerr)
		}
	}
	b.Run("canon", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, j := range jobs {
				if _, err := canon.Value(j); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("sigs.k8s.io-yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, j := range jobs {
				if _, err := oracle(encode(b, j)); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// keepStrings are the string scalars of the Jobs.
func keepStrings(jobs []*yaml.Node) []string {
	var out []string
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Tag == canon.TagStr {
			out = append(out, n.Value)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, j := range jobs {
		walk(j)
	}
	return out
}

// libraryNeedsQuotes asks the parsers: kyaml's IsValueNonString (a YAML
// 1.1 parse) and a YAML 1.2 parse of the string written plain.
func libraryNeedsQuotes(s string) bool {
	if yaml.IsValueNonString(s) {
		return true
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil || len(n.Content) != 1 {
		return true
	}
	c := n.Content[0]
	return c.Kind != yaml.ScalarNode || c.Tag != canon.TagStr || c.Value != s
}

func BenchmarkKeepNeedsQuotes(b *testing.B) {
	strs := keepStrings(keepJobs(b))
	for _, s := range strs {
		if !plain(s) {
			continue // multi-line, or text a plain scalar cannot hold
		}
		if canon.NeedsQuotes(s) != libraryNeedsQuotes(s) {
			b.Fatalf("%q: canon.NeedsQuotes %v, the parsers %v", s, canon.NeedsQuotes(s), libraryNeedsQuotes(s))
		}
	}
	b.Run("canon", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range strs {
				canon.NeedsQuotes(s)
			}
		}
	})
	b.Run("parsers", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range strs {
				libraryNeedsQuotes(s)
			}
		}
	})
}
