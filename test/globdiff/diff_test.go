package globdiff

import (
	"slices"
	"strings"
	"testing"

	"github.com/gobwas/glob"

	"github.com/hookgen/hookgen/internal/argoglob"
)

// globPatterns and globPaths are the table both matchers go through.
var (
	globPatterns = []string{
		"*", "**", "*.yaml", "**.yaml", "*/*.yaml", "*.{yaml,yml}", "{a,b}/{c,d}.json",
		"drafts/*", "a.yaml", "?.yaml", "[ab].yaml", "[!ab].yaml", "[a-c]*", "[!a-c]*",
		"unclosed{a,b", "0{", "{a,", "x}y,z", `\*.yaml`, `a\`, "{a,{b,c}d}", "a.(yaml)|b+", "{,a}x",
		"{}", "[]", "[!]", "[abc", "[a-z0-9]", "[z-a]", "[a-]", "[-a]", "[!-]", "[]a]",
		"[\\]]", "{a,b}}", "}", ",", "*-test.yaml", "prod-*", "v[1-5].yaml", "é?.yaml",
		"[é-ü]*", "{[ab],c}*", "***", "a**b", "{a,b,}", "sub/**/x.yaml", "{a*,*b}",
	}
	globPaths = []string{
		"a", "b", "c", "x", "a.yaml", "b.yaml", "c.yaml", "ab.yaml", "sub/a.yaml",
		"drafts/x.yaml", "drafts/a/b.yaml", "a-test.yaml", "sub/b-test.yaml", "a.yml",
		"a/c.json", "b/d.json", "*.yaml", "unclosedb", "unclosed{a,b", "0{", "{a,", "x}y,z", "bd",
		"cd", "a.(yaml)|b+", "ax", "x.yaml", "-", "]", "]a", "}", ",", "prod-a.yaml",
		"v1.yaml", "v9.yaml", "éa.yaml", "ö", "ab", "axb", "sub/x/x.yaml", "a\\",
	}
)

// TestGlobMatchesGobwas checks hookgen's reading of manifests.include and
// manifests.exclude against gobwas/glob, which Argo CD compiles them with
// (util/glob.Match, no separators): the same patterns compile, and they
// match the same paths.
func TestGlobMatchesGobwas(t *testing.T) {
	for _, p := range globPatterns {
		for _, s := range globPaths {
			if slices.Contains(gobwasBugs, struct{ pattern, path string }{p, s}) {
				continue
			}
			compareGlob(t, p, s)
		}
	}
}

// FuzzGlobMatchesGobwas checks that the same patterns compile, and that
// gobwas/glob does not panic matching a pattern hookgen accepts. Which
// paths match is judged by the table: on matching, the fuzzer mostly finds
// gobwasBugs, in many nested shapes.
func FuzzGlobMatchesGobwas(f *testing.F) {
	for i, p := range globPatterns {
		f.Add(p, globPaths[i%len(globPaths)])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		if strings.IndexByte(p, 0) >= 0 || s == "" {
			return // a NUL ends a gobwas pattern; a file's path is never empty
		}
		g, gerr := glob.Compile(p)
		_, err := argoglob.Compile(p)
		switch {
		case gerr != nil && err != nil:
		case gerr != nil:
			t.Fatalf("%q: gobwas/glob refuses it (%v), hookgen compiles it", p, gerr)
		case err != nil && refusedOnPurpose(err):
		case err != nil:
			t.Fatalf("%q: gobwas/glob compiles it, hookgen refuses it: %v", p, err)
		default:
			if _, ok := gobwasMatch(g, s); !ok {
				t.Fatalf("%q on %q: gobwas/glob panics, so Argo CD cannot use the pattern; hookgen must refuse it", p, s)
			}
		}
	})
}

// gobwasBugs are where gobwas/glob v0.2.3 is wrong and hookgen does not
// follow it: a fixed-length pattern (no *, no {}) measures text that is
// not ASCII in bytes where it should count characters; a pattern
// "prefix*suffix" matches a text shorter than both, where they overlap;
// the fuzzer found more around * in alternatives. (An empty text matching
// a pattern that is one negated class cannot happen: a file's path is
// never empty.) Each must still differ, or this list is out of date.
var gobwasBugs = []struct{ pattern, path string }{
	{"é?.yaml", "éa.yaml"},
	{"0*0", "0"},
	{"a.yaml*.yaml", "a.yaml"},
	{"*y{00*0}", "yyy00"},
	{"{[00]*}*", "0"},
}

func TestGobwasBugs(t *testing.T) {
	for _, b := range gobwasBugs {
		g := glob.MustCompile(b.pattern)
		re, err := argoglob.Compile(b.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if g.Match(b.path) == re.MatchString(b.path) {
			t.Errorf("%q on %q: gobwas/glob and hookgen agree now; drop it from gobwasBugs", b.pattern, b.path)
		}
	}
}

func compareGlob(t *testing.T, p, s string) {
	t.Helper()
	g, gerr := glob.Compile(p)
	re, err := argoglob.Compile(p)
	switch {
	case gerr != nil && err != nil:
		return
	case gerr != nil:
		t.Fatalf("%q: gobwas/glob refuses it (%v), hookgen compiles it", p, gerr)
	case err != nil && refusedOnPurpose(err):
		return
	case err != nil:
		t.Fatalf("%q: gobwas/glob compiles it, hookgen refuses it: %v", p, err)
	}
	want, ok := gobwasMatch(g, s)
	if !ok {
		t.Fatalf("%q on %q: gobwas/glob panics, so Argo CD cannot use the pattern; hookgen must refuse it", p, s)
	}
	if got := re.MatchString(s); want != got {
		t.Fatalf("%q on %q: gobwas/glob says %v, hookgen %v", p, s, want, got)
	}
}

// gobwasMatch matches, reporting ok=false when gobwas/glob panics.
func gobwasMatch(g glob.Glob, s string) (match, ok bool) {
	defer func() {
		if recover() != nil {
			match, ok = false, false
		}
	}()
	return g.Match(s), true
}

// refusedOnPurpose reports hookgen's refusals of patterns gobwas/glob
// compiles but mishandles: an unclosed "{" or an empty alternative can
// make its matcher panic ("0{" on "0").
func refusedOnPurpose(err error) bool {
	return strings.Contains(err.Error(), "a { without its }") || strings.Contains(err.Error(), "an empty {alternative}")
}
