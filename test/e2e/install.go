package e2e

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/test/internal/tools"
)

// ArgoCDModule is the Argo CD module this test module imports; its
// manifests/install.yaml, in the Go module cache, is the upstream install
// the kustomize component is applied to.
const ArgoCDModule = "github.com/argoproj/argo-cd/v2"

// ArgoCDVersion returns the version of ArgoCDModule test/go.mod requires.
func ArgoCDVersion(t testing.TB) string {
	t.Helper()
	gomod := filepath.Join(Env.Root, "test", "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && f[0] == ArgoCDModule {
			return f[1]
		}
	}
	t.Fatalf("%s does not require %s", gomod, ArgoCDModule)
	return ""
}

// UpstreamInstall returns the path of Argo CD's manifests/install.yaml in
// the Go module cache (never copied into this repository).
func UpstreamInstall(t testing.TB) string {
	t.Helper()
	version := ArgoCDVersion(t)
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	// The module path has no upper-case letters: its cache path is itself.
	p := filepath.Join(strings.TrimSpace(string(out)), filepath.FromSlash(ArgoCDModule)+"@"+version, "manifests", "install.yaml")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("Argo CD's install.yaml is not in the module cache (%v); from test/ run: go mod download %s@%s", err, ArgoCDModule, version)
	}
	return p
}

// Kustomize runs `kustomize build dir` with the kustomize binary from
// HOOKGEN_TOOLS_BIN (a missing one fails the test with the build command).
func Kustomize(t testing.TB, dir string) []byte {
	t.Helper()
	bin := tools.Path(t, tools.Kustomize)
	cmd := exec.Command(bin, "build", dir)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kustomize build %s: %v\n%s", dir, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// CopyDir copies a directory tree (regular files and directories).
func CopyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644)
		default:
			return fmt.Errorf("%s: not a regular file or directory", p)
		}
	})
}

// ConfigMapVolume writes data the way the kubelet lays out a ConfigMap
// volume: the files in a timestamped hidden directory, a ..data link to
// it, and one link per key.
func ConfigMapVolume(dir string, data map[string]string) error {
	const ts = "..2026_01_01_00_00_00.000000001"
	if err := os.MkdirAll(filepath.Join(dir, ts), 0o755); err != nil {
		return err
	}
	if err := os.Symlink(ts, filepath.Join(dir, "..data")); err != nil {
		return err
	}
	for k, v := range data {
		if err := os.WriteFile(filepath.Join(dir, ts, k), []byte(v), 0o644); err != nil {
			return err
		}
		if err := os.Symlink(filepath.Join("..data", k), filepath.Join(dir, k)); err != nil {
			return err
		}
	}
	return nil
}
