package e2e_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	argopath "github.com/argoproj/argo-cd/v2/util/app/path"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hookgen/hookgen/test/e2e"
	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

func goldenCases(t *testing.T) []e2e.Case {
	t.Helper()
	cases, err := e2e.GoldenCases(e2e.Env.Root)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestGoldenThroughArgoCD sends every golden case through both real
// cmp-servers, as the repo-server would for an Application naming
// hookgen-v1 whose source is the case's repository: the repository passes
// the repo-server's out-of-bounds symlink check, discovery matches,
// GenerateManifest streams the repository with the case's environment.
// A successful case must give exactly the objects `hookgen generate` prints
// when run directly with the same environment, and the golden
// expected.yaml; its Jobs then pass a strict server-side dry run in a
// Pod Security "restricted" namespace, as Jobs and as Pods. A failing case
// must fail in Argo CD with Argo CD's error text carrying hookgen's
// `path:line: hook "x": message` lines.
func TestGoldenThroughArgoCD(t *testing.T) {
	var ok, failing, jobs int
	for _, c := range goldenCases(t) {
		if c.OK() {
			ok++
			jobs += len(e2e.Jobs(e2e.Objects(t, c.Expected)))
		} else {
			failing++
		}
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			if err := argopath.CheckOutOfBoundsSymlinks(c.Repo); err != nil {
				var oob *argopath.OutOfBoundsSymlinkError
				if c.OK() || !errors.As(err, &oob) {
					t.Fatalf("the repo-server refuses the repository: %v", err)
				}
				// Argo CD refuses such a repository before any plugin
				// runs (--allow-oob-symlinks is off by default); hookgen's
				// own refusal is the golden errors.txt.
				t.Logf("the repo-server refuses the repository before the plugin runs: repository contains out-of-bounds symlinks. file: %s", oob.File)
				return
			}
			if c.OK() {
				goldenSuccess(t, c)
			} else {
				goldenFailure(t, c)
			}
		})
	}
	t.Logf("%d successful cases (%d Jobs), %d failing cases, each through Argo CD v2 and v3", ok, jobs, failing)
}

// hardeningOptOut names the Jobs of golden cases whose hook opts out of the
// hardened pod on purpose (hardening: runAsNonRoot: false, ... in the
// case's hookgen.yaml, which the open policy allows): they must break Pod
// Security "restricted", and only it.
var hardeningOptOut = map[string][]string{
	"all-knobs": {"knobs-postsync-"},
}

func goldenSuccess(t *testing.T, c e2e.Case) {
	want := e2e.Objects(t, c.Expected)
	var received []*unstructured.Unstructured
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			objs := generateCase(t, argo, c)
			direct := e2e.Direct(t, argo, c.Sidecar, c.AppDir(), c.ArgoEnv, "generate")
			if direct.Code != 0 {
				t.Fatalf("hookgen generate run directly exits %d:\n%s", direct.Code, direct.Stderr)
			}
			e2e.SameObjects(t, "Argo CD", "hookgen generate", objs, e2e.Objects(t, direct.Stdout))
			e2e.SameObjects(t, "Argo CD", "expected.yaml", objs, want)
			e2e.CheckRunnerCommands(t, objs)
			if argo == cmpserver.ArgoV3 {
				received = objs
			}
		})
	}
	if received == nil {
		return
	}
	t.Run("apiserver", func(t *testing.T) {
		api := kubeapi.Shared(t)
		n := e2e.DryRunJobs(t, api, received, c.Env("ARGOCD_APP_NAMESPACE"), hardeningOptOut[c.Name]...)
		checked, skipped := e2e.DryRunAppObjects(t, api, received, c.Env("ARGOCD_APP_NAMESPACE"))
		t.Logf("dry runs: %d Jobs and their Pods, %d app objects; not served by the API server: %v", n, checked, skipped)
	})
}

// generateCase runs the repo-server's path for a case: pick the plugin by
// name (its discovery must match), then GenerateManifest.
func generateCase(t *testing.T, argo cmpserver.Argo, c e2e.Case) []*unstructured.Unstructured {
	t.Helper()
	manifests, err := generateCaseRaw(t, argo, c)
	if err != nil {
		t.Fatalf("Argo CD: %v", err)
	}
	objs, err := cmpserver.Objects(manifests)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func generateCaseRaw(t *testing.T, argo cmpserver.Argo, c e2e.Case) ([]string, error) {
	t.Helper()
	srv := e2e.Sidecar(t, argo, c.Sidecar)
	ctx := e2e.Ctx(t)
	repo := cmpserver.Repo{Root: c.Repo, AppPath: c.AppPath}
	cl, err := cmpserver.Detect(ctx, srv.SocketDir, e2e.PluginName, repo, c.ArgoEnv)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	return cl.GenerateManifest(ctx, repo, c.ArgoEnv)
}

func goldenFailure(t *testing.T, c e2e.Case) {
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			manifests, err := generateCaseRaw(t, argo, c)
			if err == nil {
				t.Fatalf("Argo CD received %d manifests from a failing case", len(manifests))
			}
			msg := cmpserver.ErrorMessage(err)
			if _, statErr := os.Stat(c.AppDir() + "/hookgen.yaml"); os.IsNotExist(statErr) {
				// No spec: the named plugin's discovery does not match, so
				// Argo CD does not run it at all.
				want := `couldn't find cmp-server plugin with name "` + e2e.PluginName + `" supporting the given repository`
				if err.Error() != want {
					t.Errorf("error %q, want %q", err, want)
				}
				return
			}
			var ce *cmpserver.CMPError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not the cmp-server's", err)
			}
			direct := e2e.Direct(t, argo, c.Sidecar, c.AppDir(), c.ArgoEnv, "generate")
			if direct.Code != 1 || len(direct.Stdout) != 0 {
				t.Errorf("hookgen generate run directly: exit code %d, %d bytes on stdout", direct.Code, len(direct.Stdout))
			}
			// cmp-server: "error generating manifests: `<cmd>` failed <exit>: <trimmed stderr>".
			prefix := "error generating manifests: `hookgen generate` failed exit status 1: "
			if want := prefix + strings.TrimSpace(string(direct.Stderr)); msg != want {
				t.Errorf("Argo CD's error:\n%s\nwant:\n%s", msg, want)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(c.Errors)), "\n") {
				if !strings.Contains(msg, line) {
					t.Errorf("Argo CD's error lacks the golden line %q", line)
				}
			}
		})
	}
}
