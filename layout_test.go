package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stages lists hookgen's packages in the order the flow runs, bottom first
// (see transform/doc.go). A package may import only packages of an earlier
// stage; packages of one stage do not import each other.
var stages = [][]string{
	{"internal/inert", "internal/lazyre", "internal/argoglob", "internal/runnerenv", "internal/canon", "internal/podsec", "internal/golden", "internal/benchdata"},
	{"internal/problem"},
	{"internal/yamlio"},
	{"internal/hookspec"},
	{"internal/subst"},
	{"internal/hookset"},
	{"internal/hookpolicy"},
	{"internal/jobgen"},
	{"internal/manifest"},
	{"internal/judge"},
	{"internal/emit"},
	{"internal/explain"},
	{"transform"},
	{"runner", "schema", "bench", "internal/sandbox"},
	{"internal/argocd"},
	{"plugin"},
	{"."},
}

const (
	maxPackageLines = 3000
	maxFileLines    = 600
)

const module = "github.com/hookgen/hookgen"

type pkgInfo struct {
	dir     string
	files   []string
	imports []string // the module's packages it imports, relative
	modules []string // imports from other modules (a dot in the first element)
	doc     string   // the package's doc comment, its synopsis
}

// listPackages reads the module's packages with go list.
func listPackages(t *testing.T) map[string]pkgInfo {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{.Dir}}|{{join .GoFiles \" \"}}|{{join .Imports \" \"}}|{{.Doc}}", "./...")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkgInfo{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "|", 5) // the doc comment last: it may hold a "|"
		if len(f) != 5 {
			t.Fatalf("go list: unexpected line %q", sc.Text())
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(f[0], module), "/")
		if rel == "" {
			rel = "."
		}
		var imps, mods []string
		for _, imp := range strings.Fields(f[3]) {
			if imp == module {
				imps = append(imps, ".")
			} else if r, ok := strings.CutPrefix(imp, module+"/"); ok {
				imps = append(imps, r)
			} else if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				mods = append(mods, imp)
			}
		}
		pkgs[rel] = pkgInfo{dir: f[1], files: strings.Fields(f[2]), imports: imps, modules: mods, doc: f[4]}
	}
	return pkgs
}

// layerViolations returns every import that runs against the stage order,
// and every package the order does not place.
func layerViolations(order [][]string, imports map[string][]string) []string {
	rank := map[string]int{}
	for i, stage := range order {
		for _, p := range stage {
			rank[p] = i
		}
	}
	var bad []string
	for p, imps := range imports {
		rp, ok := rank[p]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s is in no stage", p))
			continue
		}
		for _, q := range imps {
			rq, ok := rank[q]
			if !ok {
				continue // reported on its own
			}
			if rq >= rp {
				bad = append(bad, fmt.Sprintf("%s (stage %d) imports %s (stage %d)", p, rp, q, rq))
			}
		}
	}
	slices.Sort(bad)
	return bad
}

// sizeViolations returns the packages and files over the limits.
func sizeViolations(lines map[string]map[string]int) []string {
	var bad []string
	over := func(name string, n, max int) {
		if n > max {
			bad = append(bad, fmt.Sprintf("%s: %d non-test lines, limit %d", name, n, max))
		}
	}
	for p, files := range lines {
		total := 0
		for f, n := range files {
			total += n
			over(filepath.ToSlash(filepath.Join(p, f)), n, maxFileLines)
		}
		over(p, total, maxPackageLines)
	}
	slices.Sort(bad)
	return bad
}

func TestLayout(t *testing.T) {
	pkgs := listPackages(t)
	imports := map[string][]string{}
	lines := map[string]map[string]int{}
	for p, info := range pkgs {
		imports[p] = info.imports
		lines[p] = map[string]int{}
		for _, f := range info.files {
			b, err := os.ReadFile(filepath.Join(info.dir, f))
			if err != nil {
				t.Fatal(err)
			}
			lines[p][f] = bytes.Count(b, []byte("\n"))
		}
	}
	for _, s := range layerViolations(stages, imports) {
		t.Errorf("import against the flow: %s", s)
	}
	for _, s := range sizeViolations(lines) {
		t.Errorf("too large: %s", s)
	}
}

func TestLayoutCatches(t *testing.T) {
	order := [][]string{{"internal/problem"}, {"internal/a", "internal/b"}, {"transform"}}
	bad := layerViolations(order, map[string][]string{
		"internal/problem": {"internal/a"},
		"internal/a":       {"internal/b", "internal/problem"},
		"internal/b":       nil,
		"transform":        {"internal/a"},
		"internal/c":       nil,
	})
	want := []string{
		"internal/a (stage 1) imports internal/b (stage 1)",
		"internal/c is in no stage",
		"internal/problem (stage 0) imports internal/a (stage 1)",
	}
	if !slices.Equal(bad, want) {
		t.Errorf("layerViolations = %q, want %q", bad, want)
	}
	big := sizeViolations(map[string]map[string]int{
		"internal/a": {"x.go": 601, "y.go": 600, "w.go": 600, "v.go": 600, "u.go": 600},
		"transform":  {"z.go": 600},
	})
	wantBig := []string{
		"internal/a/x.go: 601 non-test lines, limit 600",
		"internal/a: 3001 non-test lines, limit 3000",
	}
	if !slices.Equal(big, wantBig) {
		t.Errorf("sizeViolations = %q, want %q", big, wantBig)
	}
}

// linkedIntoTestModule are the packages the test module reads through a
// symbolic link test/internal/<name> -> ../../internal/<name>: requiring
// the root module there would raise Argo CD's dependency versions to
// hookgen's, and these need only the standard library.
var linkedIntoTestModule = []string{"golden", "benchdata"}

// TestTestModuleLinks checks that each of them is a link to the package
// itself, not a copy that could drift, and that it still imports only the
// standard library.
func TestTestModuleLinks(t *testing.T) {
	pkgs := listPackages(t)
	for _, name := range linkedIntoTestModule {
		link := filepath.Join("test", "internal", name)
		target, err := os.Readlink(link)
		if err != nil {
			t.Errorf("%s must be a symbolic link to internal/%s: %v", link, name, err)
			continue
		}
		if want := filepath.Join("..", "..", "internal", name); target != want {
			t.Errorf("%s links to %s, want %s", link, target, want)
		}
		p, ok := pkgs["internal/"+name]
		if !ok {
			t.Errorf("internal/%s: no such package", name)
			continue
		}
		if len(p.imports)+len(p.modules) > 0 {
			t.Errorf("internal/%s imports %s: the test module reads it through a link, so it may import only the standard library", name, strings.Join(append(p.imports, p.modules...), ", "))
		}
	}
}
