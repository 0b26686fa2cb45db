package canon

import (
	"encoding/json"
	"reflect"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The differential test against sigs.k8s.io/yaml itself is
// test/canondiff, a module of its own. These are what the values must be.

func TestValues(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	for src, want := range map[string]any{
		"a: True\nb: TRUE\nc: yes\nd: On\ne: y\n":             map[string]any{"a": true, "b": true, "c": true, "d": true, "e": true},
		"a: False\nb: no\nc: OFF\nd: n\n":                     map[string]any{"a": false, "b": false, "c": false, "d": false},
		"a: 0x0\nb: 00\nc: +0\nd: 0_0\ne: 0o17\nf: 0777\n":    map[string]any{"a": n("0"), "b": n("0"), "c": n("0"), "d": n("0"), "e": n("15"), "f": n("511")},
		"a: 1e3\nb: -0.0\nc: 0.5\n":                           map[string]any{"a": n("1000"), "b": n("-0"), "c": n("0.5")},
		"a: ~\nb: null\nc:\nd: \"null\"\n":                    map[string]any{"a": nil, "b": nil, "c": nil, "d": "null"},
		"a: 2001-12-14\nb: '0x0'\nc: !!str 1\nd: !!float 1\n": map[string]any{"a": "2001-12-14", "b": "0x0", "c": "1", "d": n("1")},
		"b: &b {x: 1}\nk: {x: 0, <<: *b}\n":                   map[string]any{"b": map[string]any{"x": n("1")}, "k": map[string]any{"x": n("1")}},
		"yes: a\n1: b\n1.5: c\n":                              map[string]any{"true": "a", "1": "b", "1.5": "c"},
	} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatal(err)
		}
		got, err := Value(&doc)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %#v (%v), want %#v", src, got, err, want)
		}
	}
}

func TestErrorsNameTheLine(t *testing.T) {
	for src, want := range map[string]string{
		"a: 1\nb: .inf\n":      "line 2: json: unsupported value: +Inf",
		"a: 1\n~: x\n":         "line 2: unsupported map key: null",
		"a: 1\n1: x\n'1': y\n": "line 3: key \"1\" is also written another way (line 2): which one Kubernetes keeps is not defined",
		"a: !!int yes\n":       "line 1: cannot decode !!bool `yes` as a !!int",
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Fatal(err)
		}
		_, err := Value(&n)
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}
