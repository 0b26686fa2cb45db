package transform

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/inert"
	"github.com/hookgen/hookgen/internal/problem"
)

// TestProblemsEscapeFileNames checks that a file name holding a newline or
// a terminal escape is printed escaped in the problem that names it, so
// that it can neither forge another problem line nor drive a terminal.
func TestProblemsEscapeFileNames(t *testing.T) {
	// A file name with a line break is no manifest (nor is it to Argo
	// CD); a directory's name may hold one.
	evil := "app/x\nhookgen.yaml:1: all good\x1b[2K\u202e/m.yaml"
	fsys := fstest.MapFS{
		"app/hookgen.yaml": {Data: []byte(setHeader + "manifests: {recurse: true}\nhooks: []\n")},
		evil:               {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: [\n")},
	}
	_, err := Run(Input{Repo: fsys, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "shop"}, RunnerImage: "runner:1"}})
	if err == nil {
		t.Fatal("a manifest that does not parse was accepted")
	}
	text := err.Error()
	if strings.Count(text, "\n") != strings.Count(strings.TrimSpace(text), "\n") || strings.ContainsAny(text, "\x1b\u202e") || strings.Contains(text, "x\nhookgen") {
		t.Fatalf("a control character reached the message:\n%q", text)
	}
	if !strings.Contains(text, `app/x\nhookgen.yaml:1: all good\x1b[2K\u202e/m.yaml`) {
		t.Fatalf("the file is not named, escaped:\n%s", text)
	}
	for _, p := range err.(problem.Problems) {
		if strings.ContainsFunc(p.Pos.File+p.Msg, inert.IsControl) {
			t.Errorf("problem fields hold a control character: %q %q", p.Pos.File, p.Msg)
		}
	}
}
