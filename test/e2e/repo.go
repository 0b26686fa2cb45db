package e2e

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	"sigs.k8s.io/yaml"
)

// Revision is the commit the tests pretend Argo CD resolved.
const Revision = "5f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"

var checkout struct {
	once sync.Once
	dir  string
	err  error
}

// Checkout returns a copy of the repository as a clone of it would hold
// it: the files git tracks plus untracked files that are not ignored, as
// they are in the working tree (symlinks kept as symlinks). This is the
// repository the Applications of examples/argocd point at, and what the
// repo-server hands the plugin.
func Checkout(t testing.TB) string {
	t.Helper()
	checkout.once.Do(func() {
		checkout.dir, checkout.err = exportRepo(Env.Root, filepath.Join(Env.Dir, "checkout"))
	})
	if checkout.err != nil {
		t.Fatal(checkout.err)
	}
	return checkout.dir
}

func exportRepo(root, dst string) (string, error) {
	cmd := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git ls-files in %s: %v\n%s", root, err, stderr.Bytes())
	}
	for _, rel := range strings.Split(string(out), "\x00") {
		if rel == "" {
			continue
		}
		src := filepath.Join(root, filepath.FromSlash(rel))
		target := filepath.Join(dst, filepath.FromSlash(rel))
		fi, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			return "", err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return "", err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(src)
			if err != nil {
				return "", err
			}
			if err := os.Symlink(link, target); err != nil {
				return "", err
			}
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(src)
			if err != nil {
				return "", err
			}
			if err := os.WriteFile(target, data, fi.Mode().Perm()); err != nil {
				return "", err
			}
		}
	}
	return dst, nil
}

// ReadApplication reads an Application manifest, e.g. examples/argocd/*.yaml.
func ReadApplication(t testing.TB, path string) *v1alpha1.Application {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var app v1alpha1.Application
	if err := yaml.UnmarshalStrict(data, &app); err != nil {
		t.Fatalf("%s is not an Argo CD Application: %v", path, err)
	}
	return &app
}

// SourceApp returns a copy of app whose single source is its i-th source:
// the repo-server generates each source of a multi-source Application in
// a request of its own, with that source's path and plugin.
func SourceApp(t testing.TB, app *v1alpha1.Application, i int) *v1alpha1.Application {
	t.Helper()
	if i >= len(app.Spec.Sources) {
		t.Fatalf("Application %s has %d sources, not %d", app.Name, len(app.Spec.Sources), i+1)
	}
	cp := app.DeepCopy()
	src := cp.Spec.Sources[i]
	cp.Spec.Source = &src
	cp.Spec.Sources = nil
	return cp
}

// APIVersions is a KUBE_API_VERSIONS list like the controller sends for a
// small cluster (sorted group/version and group/version/Kind entries).
var APIVersions = []string{
	"apps/v1", "apps/v1/Deployment", "batch/v1", "batch/v1/Job",
	"v1", "v1/ConfigMap", "v1/Namespace", "v1/Pod", "v1/Secret", "v1/Service", "v1/ServiceAccount",
}

// PluginTarExclude is what the example tests pass as the repo-server's
// --plugin-tar-exclude (ARGOCD_REPO_SERVER_PLUGIN_TAR_EXCLUSIONS): the
// test corpora, which no example reads. Streaming the whole repository
// costs Argo CD about 2 s per request here; TestWholeRepository does it.
var PluginTarExclude = []string{"testdata/*", "test/*"}
