package transform

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path"
	"reflect"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var updateNodes = flag.Bool("update-nodes", false, "write templates/builtin.nodes from templates/*.yaml")

// TestBuiltinNodes checks that templates/builtin.nodes holds exactly what
// parsing templates/*.yaml gives, so that no process has to parse them
// (-update-nodes writes it again after a template changed).
func TestBuiltinNodes(t *testing.T) {
	files, err := fs.Glob(builtinFS, "templates/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no built-in templates: %v", err)
	}
	var names []string
	texts, docs := map[string][]byte{}, map[string][]*yaml.Node{}
	for _, f := range files {
		data, err := builtinFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := "builtin:" + path.Base(f)
		ps := &problems{}
		names = append(names, name)
		texts[name], docs[name] = data, parseStream(name, data, DefaultLimits(), ps)
		// A process takes the cached trees unchecked: check them here.
		parseTemplates(name, data, OriginBuiltin, DefaultLimits(), ps)
		if !ps.empty() {
			t.Fatalf("%s: %v", name, ps.err())
		}
	}
	want, err := encodeNodeFiles(names, texts, docs)
	if err != nil {
		t.Fatal(err)
	}
	if *updateNodes {
		if err := os.WriteFile("templates/builtin.nodes", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(builtinNodes, want) {
		t.Fatal("templates/builtin.nodes is stale: a built-in template changed; run go test ./transform -run TestBuiltinNodes -update-nodes")
	}
	got, err := decodeNodeFiles(builtinNodes)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !reflect.DeepEqual(got[name].docs, docs[name]) {
			t.Errorf("%s: the decoded trees differ from the parsed ones", name)
		}
	}
	// Every call gives new trees.
	again, _ := decodeNodeFiles(builtinNodes)
	if again[names[0]].docs[0] == got[names[0]].docs[0] {
		t.Error("decodeNodeFiles shares trees between calls")
	}
}

func TestDecodeNodeFilesRefusesDamage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("nope"), builtinNodes[:len(builtinNodes)/2], append(append([]byte{}, builtinNodes...), 1)} {
		if _, err := decodeNodeFiles(b); err == nil {
			t.Errorf("decoded %d damaged bytes", len(b))
		}
	}
}

func BenchmarkDecodeNodeFiles(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeNodeFiles(builtinNodes); err != nil {
			b.Fatal(err)
		}
	}
}
