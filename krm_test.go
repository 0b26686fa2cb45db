package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/golden"
)

// kustomizeVersion is the kustomize the KRM function is tested with.
const kustomizeVersion = "v5.8.2"

// kustomize returns a kustomize of kustomizeVersion: test/tools/build.sh's
// ($HOOKGEN_TOOLS_BIN), on PATH or in Go's bin directory, else installed
// with go install into the user's cache. A test that needs it fails, saying how
// to install it, when it cannot be had.
func kustomize(t *testing.T) string {
	t.Helper()
	var candidates []string
	if bin := os.Getenv("HOOKGEN_TOOLS_BIN"); bin != "" {
		candidates = append(candidates, filepath.Join(bin, "kustomize")) // test/tools/build.sh's
	}
	if p, err := exec.LookPath("kustomize"); err == nil {
		candidates = append(candidates, p)
	}
	gobin := os.Getenv("GOBIN")
	if gobin == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gobin = filepath.Join(strings.TrimSpace(string(out)), "bin")
		}
	}
	candidates = append(candidates, filepath.Join(gobin, "kustomize"))
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	pinned := filepath.Join(cache, "hookgen-test", "kustomize-"+kustomizeVersion)
	candidates = append(candidates, filepath.Join(pinned, "kustomize"))
	for _, c := range candidates {
		if out, err := exec.Command(c, "version").Output(); err == nil && strings.TrimSpace(string(out)) == kustomizeVersion {
			return c
		}
	}
	install := exec.Command("go", "install", "sigs.k8s.io/kustomize/kustomize/v5@"+kustomizeVersion)
	install.Env = append(os.Environ(), "GOBIN="+pinned)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("kustomize %s is needed to test the KRM function and could not be installed (%v):\n%s\nInstall it with: go install sigs.k8s.io/kustomize/kustomize/v5@%s", kustomizeVersion, err, out, kustomizeVersion)
	}
	return filepath.Join(pinned, "kustomize")
}

// krmDir copies testdata/krm into a fresh directory and points the
// function annotation at exe, with or without args.
func krmDir(t *testing.T, exe string, withArgs bool, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"kustomization.yaml", "deployment.yaml", "hooks.yaml"} {
		data := string(mustRead(t, filepath.Join("testdata", "krm", name)))
		if name == "hooks.yaml" {
			data = strings.ReplaceAll(data, "$HOOKGEN", exe)
			if !withArgs {
				data = strings.Replace(data, "        args: [krm]\n", "", 1)
			}
			if edit != nil {
				data = edit(data)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func kustomizeBuild(t *testing.T, kz, dir string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := exec.Command(kz, "build", "--enable-alpha-plugins", "--enable-exec", dir)
	cmd.Env = binaryEnv(t, "", "", map[string]string{"ARGOCD_APP_NAME": "shop", "ARGOCD_APP_NAMESPACE": "shop"})
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}

// TestKRMWithKustomize runs hookgen as an exec function of a real
// kustomize build and compares the output with testdata/krm/expected.yaml:
// the app's Deployment and the hooks' Jobs, with kustomize's namespace and
// labels applied to both.
func TestKRMWithKustomize(t *testing.T) {
	kz := kustomize(t)
	abs, err := filepath.Abs(binary)
	if err != nil {
		t.Fatal(err)
	}
	expected := filepath.Join("testdata", "krm", "expected.yaml")

	out, stderr, err := kustomizeBuild(t, kz, krmDir(t, abs, true, nil))
	if err != nil {
		t.Fatalf("kustomize build: %v\n%s", err, stderr)
	}
	if golden.Updating() {
		if err := os.WriteFile(expected, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := mustRead(t, expected); !bytes.Equal(out, want) {
		t.Errorf("kustomize build printed something else than %s:\n%s", expected, out)
	}

	// Started as hookgen-krm, the function needs no arguments.
	link := filepath.Join(t.TempDir(), "hookgen-krm")
	if err := os.Symlink(abs, link); err != nil {
		t.Fatal(err)
	}
	out2, stderr, err := kustomizeBuild(t, kz, krmDir(t, link, false, nil))
	if err != nil {
		t.Fatalf("kustomize build with hookgen-krm: %v\n%s", err, stderr)
	}
	if !bytes.Equal(out2, out) {
		t.Errorf("hookgen-krm without arguments printed something else:\n%s", out2)
	}

	// A problem fails the build and says what is wrong.
	bad := krmDir(t, abs, true, func(s string) string { return strings.Replace(s, "uses: migration", "uses: migraton", 1) })
	_, stderr, err = kustomizeBuild(t, kz, bad)
	if err == nil || !strings.Contains(string(stderr), `hookgen krm: HookSet shop-hooks: hook "migrate": unknown template "migraton" (did you mean "migration"?)`) {
		t.Errorf("a bad HookSet: err %v, stderr:\n%s", err, stderr)
	}
}
