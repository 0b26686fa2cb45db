package argoglob

import (
	"strings"
	"testing"
)

// TestCompile checks patterns against the
// meaning Argo CD gives them (gobwas/glob with no separators); the test
// module checks the same table against gobwas/glob itself.
func TestCompile(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		match   []string
		miss    []string
		err     string
	}{
		{pattern: "*.yaml", match: []string{"a.yaml", "sub/a.yaml", ".yaml"}, miss: []string{"a.yml", "a.yaml.bak"}},
		{pattern: "*.{yaml,yml}", match: []string{"a.yaml", "d/a.yml"}, miss: []string{"a.json"}},
		{pattern: "{a,b}/{c,d}.json", match: []string{"a/c.json", "b/d.json"}, miss: []string{"c.json", "a/e.json"}},
		{pattern: "drafts/*", match: []string{"drafts/x.yaml", "drafts/a/b.yaml"}, miss: []string{"x/drafts/y.yaml"}},
		{pattern: "a.yaml", match: []string{"a.yaml"}, miss: []string{"sub/a.yaml"}},
		{pattern: "?.yaml", match: []string{"a.yaml", "é.yaml"}, miss: []string{"ab.yaml"}},
		{pattern: "[ab].yaml", match: []string{"a.yaml", "b.yaml"}, miss: []string{"c.yaml"}},
		{pattern: "[!ab].yaml", match: []string{"c.yaml"}, miss: []string{"a.yaml"}},
		{pattern: "[a-c]*", match: []string{"b.yaml"}, miss: []string{"d.yaml"}},
		{pattern: "[!a-c]*", match: []string{"d.yaml"}, miss: []string{"b.yaml"}},
		{pattern: "unclosed{a,b", err: "a { without its }"},
		{pattern: "{a,}", err: "empty {alternative}"},
		{pattern: "{,a}", err: "empty {alternative}"},
		{pattern: "x{}", err: "empty {alternative}"},
		{pattern: "{a,,b}", err: "empty {alternative}"},
		{pattern: "x}y,z", match: []string{"x}y,z"}},
		{pattern: `\*.yaml`, match: []string{"*.yaml"}, miss: []string{"a.yaml"}},
		{pattern: "{a,{b,c}d}", match: []string{"a", "bd", "cd"}, miss: []string{"b"}},
		{pattern: "a.(yaml)|b+", match: []string{"a.(yaml)|b+"}, miss: []string{"a.yaml"}},
		{pattern: "[]", err: "empty [class]"},
		{pattern: "[abc", err: "unexpected end"},
		{pattern: "[a-z0-9]", err: "not both"},
		{pattern: "[z-a]", err: "backwards"},
		{pattern: "a\x00b", err: "NUL"},
		{pattern: "\ufffd", err: "UTF-8"},
	} {
		re, err := Compile(tc.pattern)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Compile(%q): error %v, want one containing %q", tc.pattern, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Compile(%q): %v", tc.pattern, err)
			continue
		}
		for _, s := range tc.match {
			if !re.MatchString(s) {
				t.Errorf("%q does not match %q", tc.pattern, s)
			}
		}
		for _, s := range tc.miss {
			if re.MatchString(s) {
				t.Errorf("%q matches %q", tc.pattern, s)
			}
		}
	}
}

// FuzzCompile: no panic; a pattern without glob characters matches
// itself and nothing longer.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"*.yaml", "{a,b}/[!x]?", "[a-", "\\", "}{,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		re, err := Compile(p)
		if err != nil || strings.ContainsAny(p, "*?[{\\") {
			return
		}
		if !re.MatchString(p) || re.MatchString(p+"x") {
			t.Fatalf("%q does not match exactly itself", p)
		}
	})
}
