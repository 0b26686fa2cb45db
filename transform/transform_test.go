package transform

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

const setHeader = "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\n"

func run(t *testing.T, files map[string]string, lim yamlio.Limits) (string, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	res, err := Run(Input{Repo: fsys, AppDir: "app", Limits: lim, Context: hookspec.Context{App: hookspec.App{Name: "shop"}, RunnerImage: "runner:1"}})
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if _, err := res.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String(), nil
}

func wantProblem(t *testing.T, err error, substr string) {
	t.Helper()
	var ps problem.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got %v, want Problems", err)
	}
	if !strings.Contains(ps.Error(), substr) {
		t.Fatalf("problems:\n%s\nwant one containing %q", ps.Error(), substr)
	}
}

// TestLimitsAtTheLimit: max-documents documents, each after its own
// "---", are within the limit.
func TestLimitsAtTheLimit(t *testing.T) {
	small := yamlio.DefaultLimits()
	small.MaxDocuments = 5
	doc := "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x%d}\n"
	var many strings.Builder
	for i := range 5 {
		fmt.Fprintf(&many, doc, i)
	}
	out, err := run(t, map[string]string{"app/hookgen.yaml": setHeader + "hooks: []\n", "app/many.yaml": many.String()}, small)
	if err != nil {
		t.Fatalf("five documents under a limit of five: %v", err)
	}
	if n := strings.Count(out, "kind: ConfigMap\n"); n != 5 {
		t.Errorf("printed %d ConfigMaps, want 5:\n%s", n, out)
	}
	fmt.Fprintf(&many, doc, 5)
	_, err = run(t, map[string]string{"app/hookgen.yaml": setHeader + "hooks: []\n", "app/many.yaml": many.String()}, small)
	wantProblem(t, err, "more than 5 YAML documents (limit max-documents)")
}

func TestLimits(t *testing.T) {
	small := yamlio.DefaultLimits()
	small.MaxHooks = 3
	small.MaxFileBytes = 2000
	small.MaxDocuments = 5
	small.MaxNodes = 500
	small.MaxSpecNodes = 500
	small.MaxDepth = 20

	var hooks strings.Builder
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&hooks, "  - {name: h%d, uses: job, phase: PostSync, with: {image: \"a:1\"}}\n", i)
	}
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"hooks", map[string]string{"app/hookgen.yaml": setHeader + "hooks:\n" + hooks.String()}, "more than 3 hooks (limit max-hooks)"},
		{"file size", map[string]string{"app/hookgen.yaml": setHeader + "hooks: []\n", "app/big.yaml": strings.Repeat("# padding\n", 300)}, "file is 3000 bytes; the limit is 2000 (limit max-file-bytes)"},
		{"documents", map[string]string{"app/hookgen.yaml": setHeader + "hooks: []\n", "app/many.yaml": strings.Repeat("---\nx: 1\n", 10)}, "more than 5 YAML documents (limit max-documents)"},
		{"alias bomb in the spec", map[string]string{"app/hookgen.yaml": setHeader + bomb}, "YAML expands to more than 500 nodes (limit max-spec-nodes)"},
		{"alias bomb in a manifest", map[string]string{"app/hookgen.yaml": setHeader + "hooks: []\n", "app/bomb.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" + bomb}, "YAML expands to more than 500 nodes (limit max-nodes)"},
		{"depth", map[string]string{"app/hookgen.yaml": setHeader + "hooks: []\n", "app/deep.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + strings.Repeat("[", 30) + strings.Repeat("]", 30) + "\n"}, "YAML nested deeper than 20 levels (limit max-depth)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, tc.files, small)
			wantProblem(t, err, tc.want)
		})
	}
}

// TestMergeLevels checks how a nearer hookgen.yaml shapes a farther one's
// hook: fields override, `with` merges by key, a new template replaces the
// hook, enabled: false removes it.
func TestMergeLevels(t *testing.T) {
	files := map[string]string{
		"hookgen.yaml": setHeader + `
hooks:
  - name: a
    uses: job
    phase: PostSync
    backoffLimit: 4
    with: {image: "a:1", args: [one]}
  - name: b
    uses: job
    phase: PostSync
    backoffLimit: 4
    with: {image: "b:1", args: [one]}
  - name: c
    uses: job
    phase: PostSync
    with: {image: "c:1"}
`,
		"app/hookgen.yaml": setHeader + `
hooks:
  - name: a
    with: {args: [two]}
  - name: b
    uses: migration
    with: {image: "b:2"}
  - name: c
    enabled: false
`,
	}
	out, err := run(t, files, yamlio.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"name: a-postsync", "image: a:1", "- two", "name: b-presync", "image: b:2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"- one", "c-postsync", "b-postsync"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("output has %q:\n%s", unwanted, out)
		}
	}
	// a keeps the root's backoffLimit 4; b was redefined and takes migration's 0.
	if !strings.Contains(out, "backoffLimit: 4") || !strings.Contains(out, "backoffLimit: 0") {
		t.Errorf("backoff limits not merged as expected:\n%s", out)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	if _, err := Run(Input{}); err == nil {
		t.Fatal("Run without a repository succeeded")
	}
	if _, err := Run(Input{Repo: fstest.MapFS{}, AppDir: "../x"}); err == nil {
		t.Fatal("Run with an app directory outside the repository succeeded")
	}
}
