package canondiff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/canon"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// spellings are scalars in every way YAML 1.1 and 1.2 spell a value.
var spellings = []string{
	// booleans
	"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
	"on", "On", "ON", "off", "Off", "OFF", "tRUE", "yES", "oN",
	// null
	"", "~", "null", "Null", "NULL", "nULL",
	// integers
	"0", "00", "000", "+0", "-0", "0_0", "0x0", "0X0", "0x_0", "0o0", "0O0", "0b0", "0B0", "-0b0", "0b_0",
	"1", "+1", "-1", "0777", "0o777", "-0o17", "0x1F", "0X1f", "-0x10", "0b101", "-0b11", "1_000", "1__000", "_1", "1_",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "0x7fffffffffffffff", "0xffffffffffffffff", "0b" + strings.Repeat("1", 64),
	"08", "09", "0o8", "0x", "0b", "0bxyz", "1:20", "190:20:30", "0.0.0.0",
	// floats
	"1.5", ".5", "-.5", "+.5", "1.", "1e3", "1E3", "1e+3", "1e-3", "-1.5e-3", "1.0", "0.0", "-0.0", "1e309", "-1e309",
	"1_000.5", "6.8523015e+5", "685.230_15e+03", ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN",
	"Infinity", "NaN", "inf", "1e", ".", "._5", "0x1p-2", "1e1_0",
	// timestamps
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.10Z", "2001-12-14 21:59:43.10", "2001-13-14", "20011-12-14",
	// strings that look like something
	"x", "yes!", "nope", "--fail", "-fsS", "1.8.2", "100m", "128Mi", "v1", "8080/TCP", "12:00", "<<", "=", "+", "-", "~x",
	"busybox:1.37", "true story", ".git", "0x1G", "1e3e3", "RuntimeDefault", "Unconfined",
}

// plain reports whether v written plain after "k: " is one scalar v.
func plain(v string) bool {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+v), &n); err != nil || len(n.Content) == 0 {
		return false
	}
	m := n.Content[0]
	return m.Kind == yaml.MappingNode && len(m.Content) == 2 && m.Content[1].Kind == yaml.ScalarNode && m.Content[1].Value == v && m.Content[1].Style == 0
}

// oracle is what the API server decodes from src; ok is false when it
// cannot decode it.
func oracle(src []byte) (any, error) {
	j, err := sigsyaml.YAMLToJSON(src)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

var nonSpecificTag = regexp.MustCompile(`(^|[\s\[{,:?-])!($|[\s\]},])`)

func isCollision(err error) bool {
	var e *canon.Error
	return errors.As(err, &e) && strings.Contains(e.Msg, "also written another way")
}

// same checks canon's reading of src against the oracle's. It reports
// false when kyaml cannot parse src (nothing to compare).
func same(t testing.TB, src []byte) bool {
	t.Helper()
	if nonSpecificTag.Match(src) {
		// go-yaml v3 drops the tag "!" (see the package doc): a known
		// difference, and one that only makes a check stricter.
		return false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return false
	}
	got, cerr := canon.Value(&doc)
	want, oerr := oracle(src)
	switch {
	case cerr == nil && oerr == nil:
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: canon reads %#v, sigs.k8s.io/yaml %#v", src, got, want)
		}
	case cerr != nil && oerr != nil:
	case cerr != nil && isCollision(cerr):
		// sigs.k8s.io/yaml keeps one of the two at random: no single value.
	case cerr != nil:
		t.Errorf("%q: canon fails (%v), sigs.k8s.io/yaml reads %#v", src, cerr, want)
	default:
		t.Errorf("%q: canon reads %#v, sigs.k8s.io/yaml fails: %v", src, got, oerr)
	}
	return true
}

// documents place a scalar everywhere a value or key can be.
func documents(v string) []string {
	return []string{
		"k: " + v + "\n",
		"- " + v + "\n",
		v + ": x\n",
		"{k: " + v + "}\n",
		"[" + v + "]\n",
		"k: !!str " + v + "\n",
		"k: !!int " + v + "\n",
		"k: !!float " + v + "\n",
		"k: !!bool " + v + "\n",
		"k: !!null " + v + "\n",
		"k: !!timestamp " + v + "\n",
		"k: \"" + v + "\"\n",
		"k: '" + v + "'\n",
		"k: |\n  " + v + "\n",
		"a: &a " + v + "\nb: *a\n",
	}
}

func TestSpellings(t *testing.T) {
	compared := 0
	for _, v := range spellings {
		for _, src := range documents(v) {
			if same(t, []byte(src)) {
				compared++
			}
		}
	}
	if compared < 8*len(spellings) {
		t.Fatalf("only %d documents parsed", compared)
	}
}

// TestDocuments covers what is more than a scalar: merge keys, aliases,
// keys of every type, duplicates, nesting.
func TestDocuments(t *testing.T) {
	for _, src := range []string{
		"",
		"# only a comment\n",
		"a: 1\n<<: {a: 2, b: 3}\n",
		"<<: {a: 2, b: 3}\na: 1\n",
		"base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\nk:\n  <<: [*b, *o]\n  x: 0\n",
		"k:\n  <<: *nope\n",
		"k:\n  <<: 1\n",
		"k:\n  <<: [1]\n",
		"k:\n  \"<<\": {a: 1}\n",
		"k:\n  !!merge <<: {a: 1}\n",
		"k:\n  !!str <<: {a: 1}\n",
		"a: 1\na: 2\n",
		"1: a\n\"1\": b\n",
		"true: a\nyes: b\n",
		"yes: a\nno: b\n",
		"0x10: a\n1.5: b\n1e3: c\n.inf: d\n-.inf: e\n0.1: f\n",
		"~: a\n",
		"null: a\n",
		"[a]: b\n",
		"{a: b}: c\n",
		"18446744073709551615: a\n",
		"2001-12-14: a\n",
		"k: !!binary aGVsbG8=\n",
		"k: !!binary '%%%'\n",
		"k: !custom 12\n",
		"k: !!map 12\n",
		"k: !!float 1\n",
		"k: !!int 1.5\n",
		"spec:\n  template:\n    spec:\n      hostNetwork: True\n      securityContext: {runAsUser: 0x0, runAsNonRoot: False}\n      containers:\n      - name: c\n        securityContext: {privileged: TRUE}\n",
		"a: &x [1, 2, {b: yes}]\nc: *x\n",
		"k: \"\\xff\"\n",
		"\"\\xff\": 1\n",
		"k: 1\n---\nk: 2\n",
		"--- |\n  text\n",
		"- [a, b]\n- {c: d}\n- - e\n",
	} {
		same(t, []byte(src))
	}
}

// TestWritten checks the contract for trees hookgen builds: canon.Value reads a
// node as sigs.k8s.io/yaml reads the text kyaml's encoder writes for it,
// whatever its tag and style.
func TestWritten(t *testing.T) {
	for _, v := range spellings {
		for _, tag := range []string{"", canon.TagStr, canon.Tag12(v), canon.TagInt, canon.TagBool, canon.TagNull} {
			for _, style := range []yaml.Style{0, yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle, yaml.TaggedStyle} {
				n := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
					{Kind: yaml.ScalarNode, Tag: canon.TagStr, Value: "k"},
					{Kind: yaml.ScalarNode, Tag: tag, Value: v, Style: style},
				}}
				written(t, n)
			}
		}
	}
}

func written(t testing.TB, n *yaml.Node) {
	t.Helper()
	text, err := yaml.Marshal(n)
	if err != nil {
		return // the encoder refuses it: nothing is written
	}
	got, cerr := canon.Value(n)
	want, oerr := oracle(text)
	switch {
	case cerr == nil && oerr == nil:
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: canon reads the tree as %#v, sigs.k8s.io/yaml reads its text as %#v", text, got, want)
		}
	case (cerr == nil) != (oerr == nil):
		t.Errorf("%s: canon: %v, sigs.k8s.io/yaml: %v", text, cerr, oerr)
	}
}

// TestNeedsQuotes: a string canon.NeedsQuotes says may go plain reads back as
// that string in YAML 1.1 and 1.2; one it quotes would not.
func TestNeedsQuotes(t *testing.T) {
	for _, v := range spellings {
		if !plain(v) {
			continue
		}
		src := []byte("k: " + v + "\n")
		want, err := oracle(src)
		if err != nil {
			continue
		}
		var n yaml.Node
		if err := yaml.Unmarshal(src, &n); err != nil {
			t.Fatal(err)
		}
		v12 := n.Content[0].Content[1].Tag == canon.TagStr
		v11 := reflect.DeepEqual(want, map[string]any{"k": v})
		if got := canon.NeedsQuotes(v); got != !(v11 && v12) {
			t.Errorf("canon.NeedsQuotes(%q) = %v; YAML 1.1 string: %v, YAML 1.2 string: %v", v, got, v11, v12)
		}
	}
}

func TestTag12(t *testing.T) {
	for _, v := range spellings {
		if !plain(v) {
			continue
		}
		var n yaml.Node
		if err := yaml.Unmarshal([]byte("k: "+v), &n); err != nil {
			t.Fatal(err)
		}
		if got, want := canon.Tag12(v), n.Content[0].Content[1].Tag; got != want && !(v == "<<" && want == canon.TagMerge) {
			t.Errorf("canon.Tag12(%q) = %s, go-yaml v3 says %s", v, got, want)
		}
	}
}

func FuzzScalar(f *testing.F) {
	for _, v := range spellings {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > 64 {
			return
		}
		for _, src := range documents(v) {
			same(t, []byte(src))
		}
		for _, tag := range []string{"", canon.TagStr, canon.Tag12(v), canon.TagInt, canon.TagBool} {
			written(t, &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: tag, Value: v}}})
		}
	})
}

func FuzzDocument(f *testing.F) {
	for _, v := range spellings {
		f.Add(fmt.Sprintf("a: &a {x: %s}\nb:\n  <<: *a\n  y: [%s]\n", v, v))
	}
	f.Add("a: 1\n<<: {a: 2}\n")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 2048 {
			return
		}
		same(t, []byte(src))
	})
}
