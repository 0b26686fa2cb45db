package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/proc"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// PluginName is what Applications name the plugin (README, plugin.yaml).
const PluginName = "hookgen-v1"

// Env is the package's environment, set up by Setup in TestMain.
var Env struct {
	// Root is the repository root (plugin.yaml, examples/, testdata/).
	Root string
	// HookgenDir holds the freshly built hookgen binary.
	HookgenDir string
	// EmptyConfigDir is an empty directory: the sidecar's config directory
	// when no platform config is mounted (the optional ConfigMap is absent).
	EmptyConfigDir string
	// Dir is the package's scratch directory.
	Dir string
}

// Setup builds hookgen and prepares the package's scratch directory. Call
// Teardown when the tests are done.
func Setup() error {
	root, err := tools.RepoRoot()
	if err != nil {
		return err
	}
	Env.Root = root
	if Env.Dir, err = os.MkdirTemp("", "hookgen-e2e-"); err != nil {
		return err
	}
	Env.HookgenDir = filepath.Join(Env.Dir, "bin")
	Env.EmptyConfigDir = filepath.Join(Env.Dir, "empty-config")
	for _, d := range []string{Env.HookgenDir, Env.EmptyConfigDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return tools.BuildHookgenTo(Env.HookgenDir)
}

// Teardown stops the package's servers and removes its scratch directory.
func Teardown() error {
	errs := []error{stopSidecars()}
	if Env.Dir != "" {
		errs = append(errs, os.RemoveAll(Env.Dir))
	}
	return errors.Join(errs...)
}

// pluginPATH is the sidecar's PATH: hookgen first, then the system's.
func pluginPATH() string { return Env.HookgenDir + ":/usr/local/bin:/usr/bin:/bin" }

// resolveSidecar fills in the empty config directory for an unset
// HOOKGEN_CONFIG_DIR and sorts the entries.
func resolveSidecar(env []string) []string {
	out := make([]string, 0, len(env))
	for _, e := range env {
		if e == "HOOKGEN_CONFIG_DIR=" {
			e = "HOOKGEN_CONFIG_DIR=" + Env.EmptyConfigDir
		}
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// DefaultSidecar is the sidecar environment of the install manifests
// without a platform config.
func DefaultSidecar() []string {
	return []string{"HOOKGEN_CONFIG_DIR=", "HOOKGEN_RUNNER_IMAGE=" + DefaultRunnerImage}
}

type sidecarEntry struct {
	once sync.Once
	srv  *cmpserver.Server
	err  error
	took time.Duration
}

var sidecars struct {
	mu sync.Mutex
	m  map[string]*sidecarEntry
}

// Sidecar returns a running argocd-cmp-server of the given Argo CD release
// serving the repository's own plugin.yaml, with the freshly built hookgen
// on its PATH and env as the sidecar's own environment (HOOKGEN_*). Servers
// are shared by the package's tests, one per release and environment, and
// stopped by Teardown. A missing argocd binary fails the test with the
// build command. If the test fails, the server's log written during it is
// dumped.
func Sidecar(t testing.TB, argo cmpserver.Argo, env []string) *cmpserver.Server {
	t.Helper()
	env = resolveSidecar(env)
	key := string(argo) + "\x00" + strings.Join(env, "\x00")
	sidecars.mu.Lock()
	if sidecars.m == nil {
		sidecars.m = map[string]*sidecarEntry{}
	}
	e := sidecars.m[key]
	if e == nil {
		e = &sidecarEntry{}
		sidecars.m[key] = e
	}
	sidecars.mu.Unlock()
	e.once.Do(func() {
		start := time.Now()
		e.srv, e.err = cmpserver.StartServer(context.Background(), cmpserver.Options{
			Argo:      argo,
			ConfigDir: Env.Root, // the repository's own plugin.yaml
			PATH:      pluginPATH(),
			Env:       env,
		})
		e.took = time.Since(start)
		if e.err == nil {
			t.Logf("%s: argocd-cmp-server serving %s in %s (sidecar env %q)", argo, e.srv.Socket, e.took.Round(time.Millisecond), env)
		}
	})
	if e.err != nil {
		t.Fatal(e.err)
	}
	off := e.srv.Process.LogSize()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- %s log during %s ----\n%s", e.srv.Process.Name(), t.Name(), e.srv.Process.LogSince(off, 32<<10))
		}
	})
	return e.srv
}

// PrivateSidecar is Sidecar for one test only (for a sidecar environment
// no other test uses): the server is killed when the test ends.
func PrivateSidecar(t testing.TB, argo cmpserver.Argo, env []string) *cmpserver.Server {
	t.Helper()
	return PrivateSidecarConfig(t, argo, Env.Root, env)
}

// PrivateSidecarConfig is PrivateSidecar serving the plugin.yaml of
// configDir instead of the repository's.
func PrivateSidecarConfig(t testing.TB, argo cmpserver.Argo, configDir string, env []string) *cmpserver.Server {
	t.Helper()
	return cmpserver.Start(t, cmpserver.Options{Argo: argo, ConfigDir: configDir, PATH: pluginPATH(), Env: resolveSidecar(env)})
}

func stopSidecars() error {
	sidecars.mu.Lock()
	defer sidecars.mu.Unlock()
	var errs []error
	for _, e := range sidecars.m {
		if e.srv != nil {
			errs = append(errs, e.srv.Stop())
		}
	}
	sidecars.m = nil
	return errors.Join(errs...)
}

// SidecarProcessEnv is the environment a plugin command inherits from the
// sidecar, apart from the cmp-server's own variables: what a direct run of
// hookgen gets before the request's entries.
func SidecarProcessEnv(t testing.TB, sidecar []string) []string {
	home := t.TempDir()
	env := proc.BaseEnv(pluginPATH(), home, t.TempDir())
	return append(env, resolveSidecar(sidecar)...)
}

// Flavored is the request environment as the cmp-server of a release hands
// it to the plugin: Argo CD v2 drops entries with an empty value
// (cmpserver/plugin environ), v3 passes them.
func Flavored(argo cmpserver.Argo, env []string) []string {
	if argo.Flavor() == cmpserver.V3 {
		return env
	}
	var out []string
	for _, e := range env {
		if k, v, _ := strings.Cut(e, "="); k != "" && v != "" {
			out = append(out, e)
		}
	}
	return out
}

// Run is the result of a direct hookgen run.
type Run struct {
	Stdout, Stderr []byte
	Code           int
}

// RunHookgen runs the built hookgen in dir with exactly env (no inherited
// variables), the way the cmp-server runs the plugin's commands.
func RunHookgen(ctx context.Context, dir string, env []string, args ...string) (Run, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(Env.HookgenDir, "hookgen"), args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Run{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		return r, fmt.Errorf("running hookgen %s in %s: %w", strings.Join(args, " "), dir, err)
	}
	return r, nil
}

// Direct runs `hookgen <args>` in dir with the sidecar's environment plus
// the request environment as the given release's cmp-server passes it.
func Direct(t testing.TB, argo cmpserver.Argo, sidecar []string, dir string, request []string, args ...string) Run {
	t.Helper()
	env := append(SidecarProcessEnv(t, sidecar), Flavored(argo, request)...)
	r, err := RunHookgen(Ctx(t), dir, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Ctx returns a context that ends with the test (at most two minutes).
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
