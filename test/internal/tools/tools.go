package tools

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// EnvBin names the environment variable holding the tools bin directory.
const EnvBin = "HOOKGEN_TOOLS_BIN"

// Binary names, as linked into $HOOKGEN_TOOLS_BIN by build.sh.
const (
	KubeAPIServer         = "kube-apiserver"
	KubeControllerManager = "kube-controller-manager"
	KubeScheduler         = "kube-scheduler"
	Etcd                  = "etcd"
	ArgoCDV2              = "argocd-v2"
	ArgoCDV3              = "argocd-v3"
	Kwok                  = "kwok"
	Kustomize             = "kustomize"
	Helm                  = "helm"
	RedisServer           = "redis-server"

	// The real node's binaries.
	Kubelet        = "kubelet"
	KubeProxy      = "kube-proxy"
	Containerd     = "containerd"
	ContainerdShim = "containerd-shim-runc-v2"
	Ctr            = "ctr"
	CNIBridge      = "cni-bridge"
	CNIHostLocal   = "cni-host-local"
	CNILoopback    = "cni-loopback"
	Nft            = "nft"
	Busybox        = "busybox"
)

// buildTool maps a binary to the build.sh tool that produces it.
var buildTool = map[string]string{
	KubeAPIServer:         "kube",
	KubeControllerManager: "kube",
	KubeScheduler:         "kube",
	Etcd:                  "etcd",
	ArgoCDV2:              "argocd-v2",
	ArgoCDV3:              "argocd-v3",
	Kwok:                  "kwok",
	Kustomize:             "kustomize",
	Helm:                  "helm",
	RedisServer:           "redis",
	Kubelet:               "kubelet",
	KubeProxy:             "kubelet",
	Containerd:            "containerd",
	ContainerdShim:        "containerd",
	Ctr:                   "containerd",
	CNIBridge:             "cni",
	CNIHostLocal:          "cni",
	CNILoopback:           "cni",
	Nft:                   "nft",
	Busybox:               "busybox",
}

// Names returns every binary name build.sh links, sorted.
func Names() []string {
	names := make([]string, 0, len(buildTool))
	for n := range buildTool {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BuildCommand returns the shell command that builds the named binaries and
// exports HOOKGEN_TOOLS_BIN, to be run from the repository root.
func BuildCommand(names ...string) string {
	var tools []string
	seen := map[string]bool{}
	for _, n := range names {
		t, ok := buildTool[n]
		if !ok {
			t = n
		}
		if !seen[t] {
			seen[t] = true
			tools = append(tools, t)
		}
	}
	sort.Strings(tools)
	return fmt.Sprintf(`eval "$(test/tools/build.sh %s)"`, strings.Join(tools, " "))
}

// ErrMissing is wrapped by the errors Lookup returns for a binary that is not
// available.
var ErrMissing = errors.New("test binary missing")

// Lookup returns the absolute path of the named binary in $HOOKGEN_TOOLS_BIN.
// Its error names the command that builds the binary.
func Lookup(name string) (string, error) {
	if _, ok := buildTool[name]; !ok {
		return "", fmt.Errorf("tools: unknown binary %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	dir := os.Getenv(EnvBin)
	if dir == "" {
		return "", fmt.Errorf("%w: %s is not set, so %s cannot be found; build it from the repository root with: %s",
			ErrMissing, EnvBin, name, BuildCommand(name))
	}
	p := filepath.Join(dir, name)
	fi, err := os.Stat(p) // follows the symlink into the cache
	if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%w: %s is not an executable in %s=%s; build it from the repository root with: %s",
			ErrMissing, name, EnvBin, dir, BuildCommand(name))
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return abs, nil
}

// Path returns the absolute path of the named binary, or fails the test
// (never skips) with the command that builds it.
func Path(t testing.TB, name string) string {
	t.Helper()
	p, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// LookupAll is Lookup for several binaries; its error names all missing
// ones and one command that builds them.
func LookupAll(names ...string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	var missing []string
	for _, n := range names {
		p, err := Lookup(n)
		if err != nil {
			if !errors.Is(err, ErrMissing) {
				return nil, err
			}
			missing = append(missing, n)
			continue
		}
		out[n] = p
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("%w: %s not available in %s=%q; build from the repository root with: %s",
			ErrMissing, strings.Join(missing, ", "), EnvBin, os.Getenv(EnvBin), BuildCommand(missing...))
	}
	return out, nil
}

// Paths is Path for several binaries; it reports all missing ones at once.
func Paths(t testing.TB, names ...string) map[string]string {
	t.Helper()
	out, err := LookupAll(names...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// RepoRoot returns the root of the hookgen repository: the nearest parent of
// the working directory whose go.mod declares module github.com/hookgen/hookgen.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modulePath(b) == "github.com/hookgen/hookgen" {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("tools: no parent directory holds the github.com/hookgen/hookgen go.mod")
		}
		dir = parent
	}
}

func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// BuildHookgenTo builds the hookgen binary from the repository root into
// dir/hookgen (CGO_ENABLED=0, the Go build cache makes repeated builds cheap).
// Use it from TestMain; tests use BuildHookgen.
func BuildHookgenTo(dir string) error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "hookgen"), ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building hookgen in %s: %v\n%s", root, err, out)
	}
	return nil
}

// WithHookgen builds hookgen into a fresh directory, runs run with that
// directory and removes it: a TestMain's exit code. A failed build is
// printed and gives 1.
func WithHookgen(run func(dir string) int) int {
	dir, err := os.MkdirTemp("", "hookgen-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := BuildHookgenTo(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return run(dir)
}

// BuildHookgen builds the hookgen binary into a fresh test temp directory and
// returns that directory (to put first on a plugin's PATH). A failed build
// fails the test.
func BuildHookgen(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := BuildHookgenTo(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}
