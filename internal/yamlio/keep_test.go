package yamlio

import (
	"bytes"
	"github.com/hookgen/hookgen/internal/benchdata"
	"io"
	"testing"

	"github.com/hookgen/hookgen/internal/problem"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Benchmarks of the YAML machinery this package keeps instead of kyaml,
// each against what kyaml does in its place, on the documents of
// bench/inputs.go (go test ./internal/yamlio -run '^$' -bench Keep
// -benchmem; the Jobs are in transform's BenchmarkKeepEmitJobs):
//
//	BenchmarkKeepEmitManifests  EncodeNode vs kyaml's encoder
//	BenchmarkKeepScanDoc        ScanDoc vs the parse it spares

const keepDocs = 1000

func keepTexts(doc func(int) string) [][]byte {
	texts := make([][]byte, keepDocs)
	for i := range texts {
		texts[i] = []byte(doc(i + 1))
	}
	return texts
}

// keepEncode is kyaml's encoder with the settings of EncodeNode's
// fallback (EncodeSlow).
func keepEncode(w io.Writer, n *yaml.Node) error {
	enc := yaml.NewEncoder(w)
	if err := enc.Encode(n); err != nil {
		return err
	}
	return enc.Close()
}

// BenchmarkKeepEmitManifests prints 1,000 plain documents of each shape,
// parsed and in canonical form as hookgen prints a document it encodes
// again: with EncodeNode (the fast writer, or the encoder for a tree it
// does not take) and with kyaml's encoder. A run prints a document
// written in block style as written; the flow-style ones are those it
// encodes.
func BenchmarkKeepEmitManifests(b *testing.B) {
	for _, s := range benchdata.Shapes {
		if s.Name == "configmaps" {
			continue
		}
		b.Run(s.Name, func(b *testing.B) {
			var trees []*yaml.Node
			taken := 0
			for _, text := range keepTexts(s.Doc) {
				ps := &problem.Collector{}
				docs := ParseStream("f.yaml", text, DefaultLimits(), ps)
				if !ps.Empty() || len(docs) != 1 {
					b.Fatalf("parse: %v", ps.Err())
				}
				n := docs[0]
				CanonicalRead(n)
				var fast, slow bytes.Buffer
				if err := EncodeNode(&fast, n); err != nil {
					b.Fatal(err)
				}
				if err := keepEncode(&slow, n); err != nil {
					b.Fatal(err)
				}
				if !bytes.Equal(fast.Bytes(), slow.Bytes()) {
					b.Fatalf("EncodeNode differs from the encoder:\n--- encoder\n%s--- EncodeNode\n%s", slow.Bytes(), fast.Bytes())
				}
				if _, ok := EmitNode(nil, n); ok {
					taken++
				}
				trees = append(trees, n)
			}
			b.Logf("%s: the fast writer takes %d of %d documents", s.Name, taken, len(trees))
			b.Run("fast", func(b *testing.B) {
				b.ReportAllocs()
				var scratch []byte
				for b.Loop() {
					for _, n := range trees {
						var err error
						if scratch, err = EncodeNodeBuf(io.Discard, n, scratch); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
			b.Run("encoder", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for _, n := range trees {
						if err := keepEncode(io.Discard, n); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		})
	}
}

// keepParseInfo reads a document's identity as the parse that reads a
// manifest ScanDoc does not take (internal/manifest's ParseManifests):
// yaml.Unmarshal, the alias and node budget (Expand), then the fields.
func keepParseInfo(text []byte, lim Limits) (DocInfo, bool) {
	var doc yaml.Node
	if yaml.Unmarshal(text, &doc) != nil || len(doc.Content) == 0 {
		return DocInfo{}, false
	}
	n, ok := Expand("f.yaml", doc.Content[0], lim.ManifestBudget(nil), &problem.Collector{})
	if !ok {
		return DocInfo{}, false
	}
	get := func(keys ...string) string {
		if v := MapPath(n, keys...); v != nil && v.Kind == yaml.ScalarNode {
			return v.Value
		}
		return ""
	}
	return DocInfo{APIVersion: get("apiVersion"), Kind: get("kind"), Name: get("metadata", "name"),
		Namespace: get("metadata", "namespace"), generateName: get("metadata", "generateName")}, true
}

// BenchmarkKeepScanDoc reads the identity of 1,000 documents of each
// shape written in block style: with ScanDoc and with the parse it
// spares. (Flow-style documents are parsed: ScanDoc does not take them.)
func BenchmarkKeepScanDoc(b *testing.B) {
	lim := DefaultLimits()
	for _, s := range benchdata.Shapes {
		if s.Name == "flow" {
			continue
		}
		b.Run(s.Name, func(b *testing.B) {
			texts := keepTexts(s.Doc)
			for _, text := range texts {
				scanned, ok := ScanDoc(text, lim)
				if !ok {
					b.Fatalf("ScanDoc does not take:\n%s", text)
				}
				parsed, ok := keepParseInfo(text, lim)
				if !ok || scanned != parsed {
					b.Fatalf("ScanDoc read %+v, the parse %+v", scanned, parsed)
				}
			}
			b.Run("scan", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for _, text := range texts {
						if _, ok := ScanDoc(text, lim); !ok {
							b.Fatal("not taken")
						}
					}
				}
			})
			b.Run("parse", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for _, text := range texts {
						if _, ok := keepParseInfo(text, lim); !ok {
							b.Fatal("not parsed")
						}
					}
				}
			})
		})
	}
}
