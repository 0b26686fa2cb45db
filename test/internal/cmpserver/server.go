package cmpserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/hookgen/hookgen/test/internal/proc"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// Argo selects the argocd binary that serves the plugin.
type Argo string

// The argocd builds test/tools/build.sh provides.
const (
	ArgoV2 Argo = tools.ArgoCDV2 // Argo CD v2.14.21
	ArgoV3 Argo = tools.ArgoCDV3 // Argo CD v3.3.10
)

// Release returns the Argo CD release the build is pinned to by its
// module in test/tools ("" for an unknown build).
func (a Argo) Release() string {
	switch a {
	case ArgoV2:
		return "v2.14.21"
	case ArgoV3:
		return "v3.3.10"
	}
	return ""
}

// Flavor returns the repo-server behaviour matching this binary.
func (a Argo) Flavor() Flavor {
	if a == ArgoV3 {
		return V3
	}
	return V2
}

// Options configures Start.
type Options struct {
	// Argo picks the binary (default ArgoV2).
	Argo Argo
	// ArgoPath overrides the binary path (default from HOOKGEN_TOOLS_BIN).
	ArgoPath string
	// ConfigDir is the directory holding plugin.yaml (--config-dir-path).
	// If empty, PluginYAML is written into a fresh directory.
	ConfigDir  string
	PluginYAML []byte
	// PATH is the server's PATH, which its plugin commands inherit. Put the
	// directory of a freshly built hookgen first. Default: the test's PATH.
	PATH string
	// Env adds entries to the server's environment, which is otherwise
	// hermetic: PATH, HOME, TMPDIR, LANG, ARGOCD_BINARY_NAME,
	// ARGOCD_PLUGINSOCKFILEPATH, ARGOCD_CMP_WORKDIR.
	Env []string
	// SocketDir overrides the socket dir, so several servers can share one
	// (as the sidecars of one repo-server do). Keep it short: the socket
	// path must stay below 108 bytes. Default: a fresh dir of this server.
	SocketDir string
	// LogLevel is --loglevel (default "debug", so commands and their stderr
	// are logged).
	LogLevel string
	// ReadyTimeout bounds the wait for the socket (default 30s).
	ReadyTimeout time.Duration
}

// Server is a running argocd-cmp-server.
type Server struct {
	// Dir is the server's short temp dir; SocketDir is
	// ARGOCD_PLUGINSOCKFILEPATH and Socket the plugin's socket in it.
	Dir       string
	SocketDir string
	Socket    string
	// WorkDir is ARGOCD_CMP_WORKDIR; requests are unpacked below
	// WorkDir/_cmp_server/<uuid>/.
	WorkDir string
	// ConfigDir holds plugin.yaml.
	ConfigDir string
	// PluginName is the name an Application uses: <name>-<version>, or
	// <name> when plugin.yaml has no spec.version.
	PluginName string
	Argo       Argo
	Process    *proc.Process
}

// Start starts argocd-cmp-server for one test; it is killed when the test
// ends and its log is dumped if the test failed. A missing binary fails the
// test with the build command.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := StartServer(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("cmpserver: stop: %v", err)
		}
	})
	proc.DumpLogsOnFailure(t, s.Process)
	return s
}

// StartServer starts argocd-cmp-server without a test; the caller must call
// Stop.
func StartServer(ctx context.Context, opts Options) (s *Server, err error) {
	if opts.Argo == "" {
		opts.Argo = ArgoV2
	}
	if opts.ArgoPath == "" {
		if opts.ArgoPath, err = tools.Lookup(string(opts.Argo)); err != nil {
			return nil, err
		}
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "debug"
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 30 * time.Second
	}
	dir, err := proc.ShortTempDir("cmp")
	if err != nil {
		return nil, err
	}
	s = &Server{
		Dir:       dir,
		SocketDir: filepath.Join(dir, "s"),
		WorkDir:   filepath.Join(dir, "w"),
		ConfigDir: opts.ConfigDir,
		Argo:      opts.Argo,
	}
	defer func() {
		if err != nil {
			_ = s.Stop()
		}
	}()
	if opts.SocketDir != "" {
		s.SocketDir = opts.SocketDir
	}
	for _, d := range []string{s.SocketDir, s.WorkDir, filepath.Join(dir, "home"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return s, err
		}
	}
	if s.ConfigDir == "" {
		if opts.PluginYAML == nil {
			return s, fmt.Errorf("cmpserver: set ConfigDir or PluginYAML")
		}
		s.ConfigDir = filepath.Join(dir, "config")
		if err := os.MkdirAll(s.ConfigDir, 0o700); err != nil {
			return s, err
		}
		if err := os.WriteFile(filepath.Join(s.ConfigDir, "plugin.yaml"), opts.PluginYAML, 0o644); err != nil {
			return s, err
		}
	}
	s.PluginName, err = PluginName(filepath.Join(s.ConfigDir, "plugin.yaml"))
	if err != nil {
		return s, err
	}
	s.Socket = filepath.Join(s.SocketDir, s.PluginName+".sock")
	if len(s.Socket) >= 108 {
		return s, fmt.Errorf("cmpserver: socket path %s is %d bytes, too long for a unix socket", s.Socket, len(s.Socket))
	}
	env := proc.BaseEnv(opts.PATH, filepath.Join(dir, "home"), filepath.Join(dir, "tmp"),
		"ARGOCD_BINARY_NAME=argocd-cmp-server",
		"ARGOCD_PLUGINSOCKFILEPATH="+s.SocketDir,
		"ARGOCD_CMP_WORKDIR="+s.WorkDir,
	)
	env = append(env, opts.Env...)
	s.Process, err = proc.Start(proc.Spec{
		Name:       "argocd-cmp-server (" + string(opts.Argo) + ")",
		Path:       opts.ArgoPath,
		Args:       []string{"--config-dir-path", s.ConfigDir, "--loglevel", opts.LogLevel, "--logformat", "text"},
		Env:        env,
		Dir:        dir,
		LogPath:    filepath.Join(dir, "cmp-server.log"),
		StopSignal: syscall.SIGKILL, // it does not exit on SIGTERM
	})
	if err != nil {
		return s, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()
	// The socket file exists from bind(), a moment before listen(): wait
	// until a connection succeeds.
	err = s.Process.WaitUntil(ctx, 20*time.Millisecond, func(context.Context) (bool, error) {
		conn, err := net.DialTimeout("unix", s.Socket, time.Second)
		if err != nil {
			return false, err
		}
		conn.Close()
		return true, nil
	})
	return s, err
}

// Stop kills the server and removes its directory. It is idempotent.
func (s *Server) Stop() error {
	var err error
	if s.Process != nil {
		err = s.Process.Stop()
	}
	if s.Dir != "" {
		if rmErr := os.RemoveAll(s.Dir); err == nil {
			err = rmErr
		}
	}
	return err
}

// Dial connects to this server's plugin socket.
func (s *Server) Dial() (*Client, error) { return Dial(s.Socket) }

// MustDial is Dial that fails the test on error and closes the client when
// the test ends.
func (s *Server) MustDial(t testing.TB) *Client {
	t.Helper()
	c, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// PluginName reads plugin.yaml and returns the name Applications use:
// metadata.name, plus "-" + spec.version if that is set (the socket file is
// this name + ".sock").
func PluginName(pluginYAML string) (string, error) {
	b, err := os.ReadFile(pluginYAML)
	if err != nil {
		return "", err
	}
	var cfg struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Version string `json:"version"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("cmpserver: %s: %w", pluginYAML, err)
	}
	name := strings.TrimSpace(cfg.Metadata.Name)
	if name == "" {
		return "", fmt.Errorf("cmpserver: %s has no metadata.name", pluginYAML)
	}
	if cfg.Spec.Version != "" {
		name += "-" + cfg.Spec.Version
	}
	return name, nil
}

// CatPluginYAML is a plugin.yaml whose generate prints the app's YAML
// files, one document each, in one process: the floor of the plugin path
// the benchmarks compare hookgen with. It discovers apps as hookgen's
// plugin.yaml does (by ./hookgen.yaml), so both pay the same discovery.
const CatPluginYAML = `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata: {name: cat}
spec:
  version: v1
  generate: {command: [sh, -c, 'exec awk ''FNR == 1 && NR > 1 { print "---" } { print }'' *.yaml']}
  discover: {fileName: ./hookgen.yaml}
`
