package transform

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// checkEmit compares the fast writer with kyaml's encoder on one tree:
// when the fast writer takes it, the bytes must be the same.
func checkEmit(t *testing.T, n *yaml.Node) (fast bool) {
	t.Helper()
	var want bytes.Buffer
	if err := yamlio.EncodeSlow(&want, n); err != nil {
		return false // the encoder refuses it (the fast writer must too)
	}
	got, ok := yamlio.EmitNode(nil, n)
	if !ok {
		return false
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("fast writer differs from the encoder:\n--- encoder\n%s--- fast\n%s", want.Bytes(), got)
	}
	return true
}

// trickyValues are scalars whose style is easy to get wrong.
var trickyValues = []string{
	"", " ", "a", "a b", " lead", "trail ", "true", "True", "false", "yes", "no", "on", "off", "y", "n", "~", "null", "NULL",
	"1", "-1", "+1", "0", "007", "0x1F", "0o17", "0b101", "-0b1", "-0o7", "1_000", "1.5", ".5", "1e3", "-1.5e-3", ".inf", "-.Inf", ".nan", "1.2.3",
	"2006-01-02", "2006-1-2", "2006-01-02T15:04:05Z", "2006-01-02 15:04:05", "20060102", "12:30", "1:2:3",
	"- a", "-a", "-", "--", "---", "--- x", "...", "? x", "?x", "?", ": x", ":x", ":", "a: b", "a:b", "a:", "a #b", "a#b", "#x",
	"'q'", "it's", "\"dq\"", "say \"hi\"", "back\\slash", "@x", "`x", "|", "|x", ">", "!x", "%x", "&a", "*a", "a,b", "[x]", "{x}", "a[0]", "<<",
	"$(app.name)", "http://example.com/a?b=c&d=e#frag", "ghcr.io/acme/api:1.8.2", "--fail", "--flag=value", "500m", "128Mi",
	"multi\nline", "multi\nline\n", "\nlead", "trail\n", "two\n\n", "\n", "a\n\nb\n", "a\n  indented\nb", "sp \nx", "x\n y", "  both\n",
	"tab\there", "ünï", "bell\a", strings.Repeat("k", 129), strings.Repeat("long value ", 20),
}

func randomTree(r *rand.Rand, depth int) *yaml.Node {
	switch k := r.IntN(6); {
	case depth > 3 || k < 3:
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: trickyValues[r.IntN(len(trickyValues))]}
		switch r.IntN(6) {
		case 0:
		case 1, 2:
			n.Tag = yamlio.TagStr
		default:
			n.Tag = []string{yamlio.TagInt, yamlio.TagBool, yamlio.TagNull, yamlio.TagFloat, yamlio.TagStr}[r.IntN(5)]
		}
		switch r.IntN(8) {
		case 0:
			n.Style = yaml.DoubleQuotedStyle
		case 1:
			n.Style = yaml.SingleQuotedStyle
		case 2:
			n.Style = yaml.LiteralStyle
		}
		return n
	case k < 5:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: yamlio.TagMap}
		for i := r.IntN(4); i > 0; i-- {
			key := &yaml.Node{Kind: yaml.ScalarNode, Tag: yamlio.TagStr, Value: trickyValues[r.IntN(len(trickyValues))]}
			if r.IntN(2) == 0 {
				key.Value = []string{"name", "image", "args", "a-b", "x.y/z"}[r.IntN(5)]
			}
			if r.IntN(3) == 0 {
				key.Tag = ""
			}
			m.Content = append(m.Content, key, randomTree(r, depth+1))
		}
		return m
	default:
		s := &yaml.Node{Kind: yaml.SequenceNode, Tag: yamlio.TagSeq}
		for i := r.IntN(4); i > 0; i-- {
			s.Content = append(s.Content, randomTree(r, depth+1))
		}
		return s
	}
}

// TestEmitMatchesEncoder checks the fast writer against kyaml's encoder on
// random trees of tricky scalars and on every YAML document of the golden
// cases, and that it takes most of them.
func TestEmitMatchesEncoder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fast, total := 0, 0
	for i := 0; i < 20000; i++ {
		n := randomTree(r, 0)
		if n.Kind == yaml.ScalarNode && i%2 == 0 {
			n = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "k"}, n}}
		}
		total++
		if checkEmit(t, n) {
			fast++
		}
		if t.Failed() {
			t.Fatalf("tree %d", i)
		}
	}
	if fast < total/3 {
		t.Errorf("the fast writer took only %d of %d random trees", fast, total)
	}
	t.Logf("random trees: %d of %d written by the fast writer", fast, total)

	files, _ := filepath.Glob("../testdata/*/expected.yaml")
	more, _ := filepath.Glob("../testdata/*/repo/*/*.yaml")
	files = append(files, more...)
	fast, total = 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc yaml.Node
			if err := dec.Decode(&doc); err != nil {
				if err != io.EOF {
					break // an invalid file of an error case
				}
				break
			}
			if len(doc.Content) == 0 {
				continue
			}
			n := yamlio.CopyNode(doc.Content[0])
			for _, tree := range []*yaml.Node{n, canonicalCopy(n)} {
				total++
				if checkEmit(t, tree) {
					fast++
				}
			}
		}
	}
	if total == 0 || fast < total/2 {
		t.Errorf("the fast writer took only %d of %d golden documents", fast, total)
	}
	t.Logf("golden documents: %d of %d written by the fast writer", fast, total)
}

func canonicalCopy(n *yaml.Node) *yaml.Node {
	c := yamlio.CopyNode(n)
	yamlio.Canonical(c)
	return c
}

// BenchmarkKeepEmitJobs prints the seven Jobs of a hooks-only run with
// EncodeNode, as Result.WriteTo does, and with kyaml's encoder (the
// settings of EncodeNode's fallback); the pair shows what the fast writer
// (internal/yamlio/emit.go) saves. internal/yamlio's
// BenchmarkKeepEmitManifests does the same for plain documents.
func BenchmarkKeepEmitJobs(b *testing.B) {
	fsys, _ := benchRepo(0)
	res, err := Run(benchInput(fsys))
	if err != nil {
		b.Fatal(err)
	}
	if len(res.Jobs) != 7 {
		b.Fatalf("%d Jobs, want 7", len(res.Jobs))
	}
	encode := func(w io.Writer, n *yaml.Node) error {
		enc := yaml.NewEncoder(w)
		if err := enc.Encode(n); err != nil {
			return err
		}
		return enc.Close()
	}
	for _, j := range res.Jobs {
		var slow bytes.Buffer
		if err := encode(&slow, j.Node); err != nil {
			b.Fatal(err)
		}
		fast, ok := yamlio.EmitNode(nil, j.Node)
		if !ok {
			b.Fatalf("the fast writer does not take Job %s", j.Name)
		}
		if !bytes.Equal(fast, slow.Bytes()) {
			b.Fatalf("the fast writer differs from the encoder:\n--- encoder\n%s--- fast\n%s", slow.Bytes(), fast)
		}
	}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		var scratch []byte
		for b.Loop() {
			for _, j := range res.Jobs {
				var err error
				if scratch, err = yamlio.EncodeNodeBuf(io.Discard, j.Node, scratch); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("encoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, j := range res.Jobs {
				if err := encode(io.Discard, j.Node); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// FuzzEmit parses arbitrary YAML and checks the fast writer against the
// encoder on it, as is and after canonical.
func FuzzEmit(f *testing.F) {
	f.Add([]byte("a: b\nc:\n- d\n- e: |\n    x\n    y\n"))
	f.Add([]byte("k: \"1\"\nl: ''\nm: [a, {b: c}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			return
		}
		lim := yamlio.DefaultLimits()
		lim.MaxNodes = 10000
		n, ok := yamlio.Expand("f.yaml", doc.Content[0], lim.ManifestBudget(nil), &problem.Collector{})
		if !ok {
			return
		}
		checkEmit(t, n)
		checkEmit(t, canonicalCopy(n))
	})
}
