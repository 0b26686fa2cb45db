package transform

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path"
	"reflect"
	"testing"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
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
		ps := &problem.Collector{}
		names = append(names, name)
		texts[name], docs[name] = data, yamlio.ParseStream(name, data, yamlio.DefaultLimits(), ps)
		// A process takes the cached trees unchecked: check them here.
		hookset.ParseTemplates(name, data, hookset.OriginBuiltin, yamlio.DefaultLimits(), ps)
		if !ps.Empty() {
			t.Fatalf("%s: %v", name, ps.Err())
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
	if len(got) != len(names) {
		t.Errorf("builtin.nodes holds %d files, templates/ %d", len(got), len(names))
	}
	for _, name := range names {
		if !reflect.DeepEqual(got[name], docs[name]) {
			t.Errorf("%s: the decoded trees differ from the parsed ones", name)
		}
	}
	// Every call gives new trees.
	again, _ := decodeNodeFiles(builtinNodes)
	if again[names[0]][0] == got[names[0]][0] {
		t.Error("Docs shares trees between calls")
	}
}

// decodeNodeFiles decodes every file of a node cache.
func decodeNodeFiles(b []byte) (map[string][]*yaml.Node, error) {
	index, err := hookset.IndexNodeFiles(b)
	if err != nil {
		return nil, err
	}
	out := map[string][]*yaml.Node{}
	for name, f := range index {
		if out[name], err = f.Docs(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func TestDecodeNodeFilesRefusesDamage(t *testing.T) {
	index, err := hookset.IndexNodeFiles(builtinNodes)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{nil, []byte("nope"), builtinNodes[:len(builtinNodes)/2], append(append([]byte{}, builtinNodes...), 1)} {
		if _, err := decodeNodeFiles(b); err == nil {
			t.Errorf("decoded %d damaged bytes", len(b))
		}
	}
	// A section cut short, or with bytes after its trees.
	for name := range index {
		whole := builtinNodes[:len(builtinNodes):len(builtinNodes)]
		at := bytes.Index(whole, []byte(name))
		if at < 0 {
			t.Fatalf("%s not in builtin.nodes", name)
		}
		for _, delta := range []int{-1, 1} {
			b := editSectionSize(t, whole, at+len(name), delta)
			if _, err := decodeNodeFiles(b); err == nil {
				t.Errorf("%s: decoded a section %+d bytes long", name, delta)
			}
		}
	}
}

// editSectionSize returns a copy of b whose section size after the name
// ending at end (after its hash) is changed by delta, the bytes kept.
func editSectionSize(t *testing.T, b []byte, end, delta int) []byte {
	t.Helper()
	_, n := binary.Uvarint(b[end:]) // the hash
	at := end + n
	size, m := binary.Uvarint(b[at:])
	if n <= 0 || m <= 0 {
		t.Fatal("no section size")
	}
	out := append([]byte{}, b[:at]...)
	out = binary.AppendUvarint(out, uint64(int(size)+delta))
	return append(out, b[at+m:]...)
}

// BenchmarkKeepNodeCache compares the node cache (internal/hookset/
// nodecache.go) with parsing the built-in templates' YAML: "trees" makes
// the trees of every templates/*.yaml, "templates" is all loadBuiltins
// does (the trees, then decoding them into HookTemplates, checked when
// parsed from YAML).
func BenchmarkKeepNodeCache(b *testing.B) {
	files, err := fs.Glob(builtinFS, "templates/*.yaml")
	if err != nil || len(files) == 0 {
		b.Fatalf("no built-in templates: %v", err)
	}
	texts := map[string][]byte{}
	for _, f := range files {
		if texts["builtin:"+path.Base(f)], err = builtinFS.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	}
	parse := func() map[string][]*yaml.Node {
		docs := map[string][]*yaml.Node{}
		for name, data := range texts {
			ps := &problem.Collector{}
			docs[name] = yamlio.ParseStream(name, data, yamlio.DefaultLimits(), ps)
			if !ps.Empty() {
				b.Fatal(ps.Err())
			}
		}
		return docs
	}
	index, err := hookset.IndexNodeFiles(builtinNodes)
	if err != nil {
		b.Fatal(err)
	}
	cached, err := decodeNodeFiles(builtinNodes)
	if err != nil {
		b.Fatal(err)
	}
	for name, docs := range parse() {
		if c, ok := index[name]; !ok || c.Hash != hookset.TextHash(texts[name]) || !reflect.DeepEqual(cached[name], docs) {
			b.Fatalf("%s: the cached trees differ from the parsed ones", name)
		}
	}
	builtinsAgree(b)
	b.Run("trees/cache", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeNodeFiles(builtinNodes); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("trees/yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			parse()
		}
	})
	b.Run("templates/cache", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := newBuiltinSet(builtinNodes).all(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("templates/yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := newBuiltinSet(nil).all(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// encodeNodeFiles writes the documents of template files (file name →
// YAML text and its parsed documents, nil for an empty one).
func encodeNodeFiles(names []string, texts map[string][]byte, docs map[string][]*yaml.Node) ([]byte, error) {
	b := []byte(hookset.NodesMagic)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, name := range names {
		b = appendString(b, name)
		b = binary.AppendUvarint(b, hookset.TextHash(texts[name]))
		section := binary.AppendUvarint(nil, uint64(len(docs[name])))
		for _, d := range docs[name] {
			section = binary.AppendUvarint(section, uint64(countNodes(d)))
			var err error
			if section, err = appendNode(section, d); err != nil {
				return nil, err
			}
		}
		b = binary.AppendUvarint(b, uint64(len(section)))
		b = append(b, section...)
	}
	return b, nil
}

func countNodes(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	c := 1
	for _, k := range n.Content {
		c += countNodes(k)
	}
	return c
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendNode(b []byte, n *yaml.Node) ([]byte, error) {
	if n == nil {
		return binary.AppendUvarint(b, 0), nil
	}
	if n.Kind == yaml.AliasNode || n.Alias != nil {
		return nil, errors.New("an alias in a parsed template")
	}
	b = binary.AppendUvarint(b, uint64(n.Kind))
	b = binary.AppendUvarint(b, uint64(n.Style))
	for _, s := range []string{n.Tag, n.Value, n.Anchor, n.HeadComment, n.LineComment, n.FootComment} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(n.Line))
	b = binary.AppendUvarint(b, uint64(n.Column))
	b = binary.AppendUvarint(b, uint64(len(n.Content)))
	for _, c := range n.Content {
		var err error
		if b, err = appendNode(b, c); err != nil {
			return nil, err
		}
	}
	return b, nil
}
