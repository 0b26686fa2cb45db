package transform

import (
	"github.com/hookgen/hookgen/internal/benchdata"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/manifest"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// checkScan compares the quick reader with the YAML parser on every
// document of data: whatever the quick reader accepts, the parser must
// accept as a resource printed as written, with the same identity.
func checkScan(t *testing.T, data []byte) (accepted int) {
	t.Helper()
	lim := yamlio.DefaultLimits()
	for _, c := range manifest.SplitDocuments(data) {
		info, ok := yamlio.ScanDoc(c.Text, lim)
		if !ok || !manifest.FastKindOK(info) { // the quick path's gate, as ParseManifests takes it
			continue
		}
		accepted++
		ps := &problem.Collector{}
		ms := manifest.ParseManifests("f.yaml", c.Text, lim, true, &yamlio.AliasBudget{}, ps) // keep: the parser's path
		if !ps.Empty() || len(ms) > 1 {
			t.Fatalf("the quick reader accepted a document the parser refuses (%v):\n%s", ps.Err(), c.Text)
		}
		if len(ms) == 0 {
			if !strings.HasPrefix(info.APIVersion, "hookgen.dev/") {
				t.Fatalf("the parser dropped a document the quick reader accepted:\n%s", c.Text)
			}
			continue
		}
		m := ms[0]
		if m.Raw == nil {
			t.Fatalf("the parser prints again a document the quick reader passes through:\n%s", c.Text)
		}
		if m.APIVersion != info.APIVersion || m.Kind != info.Kind || m.Name != info.Name || m.Namespace != info.Namespace {
			t.Fatalf("identity differs: parser %q %q %q %q, quick reader %q %q %q %q:\n%s", m.APIVersion, m.Kind, m.Name, m.Namespace, info.APIVersion, info.Kind, info.Name, info.Namespace, c.Text)
		}
	}
	return accepted
}

// scanSeeds are documents near the edges of what the quick reader knows.
var scanSeeds = []string{
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\ndata:\n  k: v\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: |\n    line\n      more\n\n    end\n  j: >-\n    folded\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d # comment\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: \"x:1\"\n        args: ['a', \"b\", c]\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  name: q\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec: x\n  y: z\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    config.kubernetes.io/index: '0'\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: p-\n",
	"apiVersion: v1\nkind: List\nitems: []\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: 'it''s'\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"a\\\"b\"\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a: b\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n containers: []\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  list:\n  - a\n  - - b\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  list:\n  -\n    k: v\n  - k: v\n    j: w\n  -\n  - x\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  s: |2\n     x\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  s: |\n  \n    x\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  s: |\n      x\n    y\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  u: http://x:80/y?z=1&w=2#f\n  v: -1\n  w: --flag\n  x: a #c\n  y: a#c\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  t: value\n    more\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  - a\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name:\n    x: y\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: ~\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nkey:\n- x\nother: y\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\ns: 'x' y\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\ns: \"x\\ty\"\n",
	"apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nmetadata:\n  name: a\n",
	"# only a comment\n",
	"apiVersion: v1\n# c\nkind: Pod\n\nmetadata:\n  # c\n  name: a\n",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels: {app.kubernetes.io/name: d, tier: web}\nspec:\n  selector:\n    matchLabels: {app: d} # c\n  template:\n    spec:\n      containers:\n        - command: [/app/worker, --x=1, -v]\n          ports: []\n          env: {}\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  annotations: {config.kubernetes.io/index: x}\n",
	"apiVersion: v1\nkind: Pod\nmetadata: {name: a, name: b}\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec: {a: b, a: c}\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec: [a, [b]]\nx: {a: {b: c}}\ny: [a,]\nz: {a:b}\nw: [a b]\nv: [a] x\nu: [a\n  , b]\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  - [a, ~, -1, on, 0x1, .inf]\n  - {on: yes, 1: 2, $x: y=z}\n",
	"apiVersion: v1\nkind: [Pod]\nmetadata:\n  name: a\n",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {a: b}\n",
	// Nested flow collections with quoted scalars.
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f-1, labels: {app.kubernetes.io/name: api}, annotations: {a.example.com/o: \"t-1\"}}\ndata: {A: info, B: \"x,y\", c: '1', d: \"[8080, 8443]\"}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"q\", namespace: 'ns'} # comment\ndata: {a: [1, [2, 3], {b: c}], e: {}, f: []}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ~}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"a\\\"b\"}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 'it''s'}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: {config.kubernetes.io/index: '0'}}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: y, x: z}}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a,}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, , b: c}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a,\n  namespace: b}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [a]}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {\"name\": a}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}x\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: [\"a\": b]\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: \"v\" x}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: [[[[[[[[[[[[a]]]]]]]]]]]]\n",
	"{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
}

// TestScanDoc checks the quick reader against the parser on the seeds and
// on every YAML file of the golden cases, and that it reads most of the
// manifests there.
func TestScanDoc(t *testing.T) {
	accepted := 0
	for _, s := range scanSeeds {
		accepted += checkScan(t, []byte(s))
	}
	if accepted < 10 {
		t.Errorf("the quick reader accepted only %d seeds", accepted)
	}
	files, _ := filepath.Glob("../testdata/*/repo/*/*.y*ml")
	more, _ := filepath.Glob("../testdata/*/repo/*/*/*.y*ml")
	accepted = 0
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		accepted += checkScan(t, data)
	}
	if accepted < 8 { // most golden manifests are hand-written flow style, which the parser reads
		t.Errorf("the quick reader accepted only %d golden documents", accepted)
	}
	t.Logf("golden documents read by the quick reader: %d", accepted)
	// One-line flow collections of plain scalars stay on the quick path.
	if n := checkScan(t, []byte(scanSeeds[29])); n != 1 || !strings.Contains(scanSeeds[29], "command: [/app/worker") {
		t.Errorf("the quick reader does not read a Deployment with one-line flow collections")
	}
	if n := checkScan(t, []byte(benchdata.ConfigMap(7))); n != 1 {
		t.Errorf("the quick reader does not read the benchmark's ConfigMap")
	}
	if n := checkScan(t, []byte(benchdata.FlowConfigMap(7))); n != 1 {
		t.Errorf("the quick reader does not read the benchmark's flow-style ConfigMap")
	}
}

// FuzzScanDoc: whatever the quick reader accepts, the parser accepts with
// the same identity.
func FuzzScanDoc(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScan(t, data)
	})
}
