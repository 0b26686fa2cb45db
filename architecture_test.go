package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/golden"
)

const architectureDoc = "docs/architecture.md"

const architectureIntro = `<!-- Generated from the stages of layout_test.go and each package's doc comment by ` + "`go test . -run TestArchitectureDoc -update`" + `. Do not edit. -->

# How the code is laid out

hookgen's packages follow the flow of a run, one way: Argo CD's request
enters at ` + "`plugin`" + ` (the command line) and ` + "`internal/argocd`" + ` (the plugin
contract), reads the repository through ` + "`internal/sandbox`" + `, and reaches
` + "`transform`" + `, the pure core, which runs its stages (read the declarations,
expand the templates, assemble the Jobs, read and annotate the app's own
manifests, judge everything last, emit). A package imports only packages
of an earlier stage, never one of its own stage or a later one;
` + "`TestLayout`" + ` (layout_test.go) fails on an import against the flow, on a
package in no stage, and on a package over 3,000 or a file over 600
non-test lines. Each package's doc.go says what it takes and returns.

| stage | package | what it is |
| --- | --- | --- |
`

// TestArchitectureDoc keeps docs/architecture.md equal to the stages of
// the layout test and the packages' own doc comments.
func TestArchitectureDoc(t *testing.T) {
	pkgs := listPackages(t)
	var b strings.Builder
	b.WriteString(architectureIntro)
	for i, stage := range stages {
		for _, p := range stage {
			info, ok := pkgs[p]
			doc := info.doc
			if !ok {
				t.Fatalf("stage %d names %s, which go list does not know", i, p)
			}
			if doc == "" {
				t.Errorf("%s has no package doc comment: give it a doc.go", p)
			}
			link := "../" + p
			if p == "." {
				link = "../main.go"
			}
			fmt.Fprintf(&b, "| %d | [`%s`](%s) | %s |\n", i, p, link, strings.ReplaceAll(doc, "|", `\|`))
		}
	}
	want := []byte(b.String())
	if golden.Updating() {
		if err := os.WriteFile(architectureDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(architectureDoc)
	if err != nil {
		t.Fatalf("%v (run go test . -run TestArchitectureDoc -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test . -run TestArchitectureDoc -update", architectureDoc)
	}
}
