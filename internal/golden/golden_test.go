package golden

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeCase lays out a case directory from a map of file names to contents.
func writeCase(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRead(t *testing.T) {
	testdata := t.TempDir()
	dir := filepath.Join(testdata, "shop")
	writeCase(t, dir, map[string]string{
		"env":                  "# Argo CD's build env\nARGOCD_APP_NAME=shop\n\nARGOCD_APP_SOURCE_PATH=apps/shop\nHOOKGEN_RUNNER_IMAGE=example.com/runner:1\nARGOCD_APP_NAMESPACE=shop\n",
		"repo/apps/shop/x.txt": "x\n",
		"config/policy.yaml":   "{}\n",
		"expected.yaml":        "kind: Job\n",
		"notes.txt":            "note\n",
	})
	// A directory without repo/ is not a case.
	writeCase(t, filepath.Join(testdata, "cli"), map[string]string{"args": "version\n"})

	cases, err := Cases(testdata)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 {
		t.Fatalf("Cases found %d cases, want 1", len(cases))
	}
	c := cases[0]
	if c.Name != "shop" || c.Dir != dir || c.AppPath != "apps/shop" || c.RepoDir() != filepath.Join(dir, "repo") {
		t.Errorf("case = %+v", c)
	}
	if want := []string{"ARGOCD_APP_NAME=shop", "ARGOCD_APP_NAMESPACE=shop", "ARGOCD_APP_SOURCE_PATH=apps/shop"}; !slices.Equal(c.ArgoEnv, want) {
		t.Errorf("ArgoEnv = %q, want %q", c.ArgoEnv, want)
	}
	cfg, _ := filepath.Abs(filepath.Join(dir, "config"))
	if want := []string{"HOOKGEN_CONFIG_DIR=" + cfg, "HOOKGEN_RUNNER_IMAGE=example.com/runner:1"}; !slices.Equal(c.Sidecar, want) {
		t.Errorf("Sidecar = %q, want %q", c.Sidecar, want)
	}
	if got := c.Env("ARGOCD_APP_NAMESPACE"); got != "shop" {
		t.Errorf("Env(ARGOCD_APP_NAMESPACE) = %q", got)
	}
	want, err := c.Want()
	if err != nil {
		t.Fatal(err)
	}
	if !want.OK || string(want.Stdout) != "kind: Job\n" || string(want.Stderr) != "note\n" {
		t.Errorf("Want() = OK %v, stdout %q, stderr %q", want.OK, want.Stdout, want.Stderr)
	}
}

func TestReadDefaultsAndFailingCase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "err-x")
	writeCase(t, dir, map[string]string{"repo/hookgen.yaml": "", "errors.txt": "hookgen.yaml:1: bad\n"})
	c, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.AppPath != "." || c.ArgoEnv != nil {
		t.Errorf("AppPath %q, ArgoEnv %q; want . and none", c.AppPath, c.ArgoEnv)
	}
	if want := []string{"HOOKGEN_CONFIG_DIR=", "HOOKGEN_RUNNER_IMAGE=" + RunnerImage}; !slices.Equal(c.Sidecar, want) {
		t.Errorf("Sidecar = %q, want %q", c.Sidecar, want)
	}
	o, err := c.Want()
	if err != nil {
		t.Fatal(err)
	}
	if o.OK || o.Stdout != nil || string(o.Stderr) != "hookgen.yaml:1: bad\n" {
		t.Errorf("Want() = %+v", o)
	}
}

func TestBadEnvLine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bad")
	writeCase(t, dir, map[string]string{"repo/x": "", "env": "ARGOCD_APP_NAME\n"})
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), `"ARGOCD_APP_NAME" is not KEY=value`) {
		t.Errorf("Read: %v", err)
	}
	if _, err := Cases(t.TempDir()); err == nil {
		t.Error("Cases of an empty directory: no error")
	}
}

func TestMissingFileSaysHowToCreateIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	writeCase(t, dir, map[string]string{"repo/x": ""})
	c, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Want()
	if err == nil {
		t.Fatal("a case with neither expected.yaml nor errors.txt: no error")
	}
	for _, want := range []string{"neither expected.yaml nor errors.txt", filepath.Join(dir, "expected.yaml"), "-update to create it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// setUpdate turns -update on for the rest of the test.
func setUpdate(t *testing.T) {
	was := *update
	*update = true
	t.Cleanup(func() { *update = was })
}

func TestCheckUpdateWritesTheFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "out.txt")
	setUpdate(t)
	Check(t, file, []byte("new\n"))
	if b, err := os.ReadFile(file); err != nil || string(b) != "new\n" {
		t.Errorf("after Check with -update the file holds %q, %v", b, err)
	}
}

func TestRecord(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	writeCase(t, dir, map[string]string{"repo/x": "", "errors.txt": "old\n"})
	c, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Record(Outcome{OK: true, Stdout: []byte("kind: Job\n"), Stderr: []byte("note\n")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.File(ErrorsFile)); err == nil {
		t.Error("errors.txt survived a successful run's Record")
	}
	if o, err := c.Want(); err != nil || !o.OK || string(o.Stdout) != "kind: Job\n" || string(o.Stderr) != "note\n" {
		t.Errorf("after Record: %+v, %v", o, err)
	}
	if err := c.Record(Outcome{Stderr: []byte("bad\n")}); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{ExpectedFile, NotesFile} {
		if _, err := os.Stat(c.File(gone)); err == nil {
			t.Errorf("%s survived a failing run's Record", gone)
		}
	}
	if o, err := c.Want(); err != nil || o.OK || string(o.Stderr) != "bad\n" {
		t.Errorf("after Record: %+v, %v", o, err)
	}
}

func TestMismatch(t *testing.T) {
	if msg := Mismatch("f", []byte("a\n"), []byte("a\n")); msg != "" {
		t.Errorf("same bytes: %q", msg)
	}
	msg := Mismatch("testdata/x/expected.yaml", []byte("a\nb\n"), []byte("a\nc\n"))
	for _, want := range []string{"testdata/x/expected.yaml differs", "-update", "first difference at line 2", "want: c", "got:  b"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if d := Diff("a\n", "a\n\n"); d != "(texts differ only in trailing bytes)" {
		t.Errorf("Diff = %q", d)
	}
}

func TestDiffContext(t *testing.T) {
	d := Diff("a\nb\nc\nd\ne\n", "a\nb\nc\nd\nx\n")
	want := "first difference at line 5:\n  context: b\n           c\n           d\n  want: e\n  got:  x"
	if d != want {
		t.Errorf("Diff = %q, want %q", d, want)
	}
	if d := Diff("a\n", "b\n"); d != "first difference at line 1:\n  want: a\n  got:  b" {
		t.Errorf("Diff on the first line = %q", d)
	}
}
