package yamlio

import (
	"bytes"
	"fmt"
	"io"
	"strings"
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

// keepShapes are 1,000 documents of each kind of plain resource the
// benchmark apps hold, written as bench/inputs.go writes them.
var keepShapes = []struct {
	name string
	doc  func(i int) string
}{
	{"configmaps", keepConfigMap},
	{"lean", keepLeanConfigMap},
	{"deployments", keepLongDeployment},
	{"flow", keepFlowConfigMap},
}

const keepDocs = 1000

func keepConfigMap(i int) string {
	return fmt.Sprintf(`# config %[1]d
apiVersion: v1
kind: ConfigMap
metadata:
  name: config-%[1]d
  labels:
    app.kubernetes.io/name: api
    app.kubernetes.io/component: config
  annotations:
    acme.example.com/owner: "team-%[2]d"
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "search,checkout,recommendations"
  settings.json: |
    {"enabled": true, "shard": %[1]d, "name": "config-%[1]d"}
`, i, i%7)
}

func keepLeanConfigMap(i int) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lean-%d\ndata:\n  key: value-%d\n", i, i)
}

func keepLongDeployment(i int) string {
	long := func(seed string, n int) string {
		var b strings.Builder
		for b.Len() < n {
			fmt.Fprintf(&b, "%s%d", seed, b.Len()*31+i)
		}
		return b.String()[:n]
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker-%[1]d
  labels:
    app.kubernetes.io/name: worker-%[1]d
  annotations:
    acme.example.com/ca-bundle: %[2]q
spec:
  replicas: 2
  selector:
    matchLabels: {app.kubernetes.io/name: worker-%[1]d}
  template:
    metadata:
      labels: {app.kubernetes.io/name: worker-%[1]d}
    spec:
      containers:
        - name: main
          image: ghcr.io/acme/worker:1.%[1]d.0
          command: [/app/worker]
          args:
            - --config=%[3]s
            - >-
              --queue=jobs-%[1]d --concurrency=8 --metrics-addr=0.0.0.0:9090
              --log-format=json %[6]s
          env:
            - name: JAVA_OPTS
              value: "%[4]s"
            - name: ALLOWED_ORIGINS
              value: %[5]q
`, i, long("MIIB", 1200), long("/etc/worker/conf.d/", 400), long("-XX:+UseG1GC -Xmx", 600),
		long("https://app.example.com/", 600), long("--flag-", 500))
}

func keepFlowConfigMap(i int) string {
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: flow-%[1]d, labels: {app.kubernetes.io/name: api, app.kubernetes.io/component: config}, annotations: {acme.example.com/owner: "team-%[2]d"}}
data: {LOG_LEVEL: info, FEATURE_FLAGS: "search,checkout,recommendations", shard: "%[1]d", ports: "[8080, 8443]"}
`, i, i%7)
}

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
	for _, s := range keepShapes {
		if s.name == "configmaps" {
			continue
		}
		b.Run(s.name, func(b *testing.B) {
			var trees []*yaml.Node
			taken := 0
			for _, text := range keepTexts(s.doc) {
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
			b.Logf("%s: the fast writer takes %d of %d documents", s.name, taken, len(trees))
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
	for _, s := range keepShapes {
		if s.name == "flow" {
			continue
		}
		b.Run(s.name, func(b *testing.B) {
			texts := keepTexts(s.doc)
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
