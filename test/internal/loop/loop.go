package loop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
	"github.com/hookgen/hookgen/test/internal/node"
	"github.com/hookgen/hookgen/test/internal/proc"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// ArgoNamespace is where the Argo CD objects (Applications, config maps,
// the default AppProject) live.
const ArgoNamespace = "argocd"

// NodeName is the fake kwok node every pod is scheduled to.
const NodeName = "kwok-node-0"

// FailLabel on a pod template makes kwok fail the pod (exit code 1) instead
// of completing it.
const FailLabel = "kwok-fail"

// Options configures Start.
type Options struct {
	// Argo picks the argocd binary for cmp-server, repo-server and
	// application-controller (default cmpserver.ArgoV2).
	Argo cmpserver.Argo
	// PluginYAML is the CMP sidecar's plugin.yaml (required).
	PluginYAML []byte
	// PluginPATH is the PATH of the cmp-server and so of the plugin
	// commands (put a freshly built hookgen first). Default: the test's.
	PluginPATH string
	// Namespaces are created up front (Application destinations).
	Namespaces []string
	// ReadyTimeout bounds the whole start (default 120s).
	ReadyTimeout time.Duration
	// RealNode replaces kwok's fake node with a real one (package node):
	// containerd, runc, the kubelet and kube-proxy run the pods. The
	// program must run through node.Main or node.RunInNamespaces.
	RealNode bool
	// NodeImages are imported into the real node's containerd
	// (node.StandardImages gives the usual set).
	NodeImages []node.Image
	// NodeArchives are images built elsewhere, imported as they are
	// (node.HookgenArchive).
	NodeArchives []node.Archive
	// PluginEnv adds entries to the cmp-server's environment, which its
	// plugin commands inherit (HOOKGEN_RUNNER_IMAGE=...).
	PluginEnv []string
}

// Stack is a running Argo CD sync loop: etcd, kube-apiserver,
// kube-controller-manager (job, deployment, replicaset, garbage-collector,
// namespace, serviceaccount, pod-gc and node-lifecycle controllers),
// kube-scheduler, kwok with one fake node, redis, argocd-repo-server, the
// plugin's argocd-cmp-server sidecar and argocd-application-controller,
// plus a git repository served as a file:// URL.
type Stack struct {
	Dir  string
	API  *kubeapi.Server
	CMP  *cmpserver.Server
	Repo *GitRepo
	Argo cmpserver.Argo

	KCM, Scheduler, Kwok, Redis, RepoServer, Controller *proc.Process

	// Node is the real node (Options.RealNode), else nil.
	Node *node.Node
	// PluginEnv is what Options.PluginEnv adds to the sidecar's
	// environment.
	PluginEnv []string
	// Timings of the start: when each part was ready, from the start.
	Timings map[string]time.Duration

	// RepoServerAddr, RedisAddr and ControllerMetricsAddr are host:port
	// on loopback.
	RepoServerAddr        string
	RedisAddr             string
	ControllerMetricsAddr string

	mu        sync.Mutex
	recorders []*Recorder

	stopOnce sync.Once
	stopErr  error
}

// Start brings the stack up for one test and tears it down when the test
// ends; daemon logs are dumped on failure. It takes about 10 s and 1.1 GB.
func Start(t testing.TB, opts Options) *Stack {
	t.Helper()
	if in, why := Netns(); !in && !opts.RealNode {
		t.Logf("loop: not in a private network namespace (%s); the application controller's metrics port is bound on all interfaces", why)
	}
	s, err := StartStack(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Logf("loop: stop: %v", err)
		}
	})
	proc.DumpLogsOnFailure(t, s.procs()...)
	return s
}

// Procs returns the stack's daemons, for log dumps and measurements.
func (s *Stack) Procs() []*proc.Process { return s.procs() }

func (s *Stack) procs() []*proc.Process {
	var ps []*proc.Process
	for _, p := range []*proc.Process{s.Controller, s.RepoServer, s.Redis, s.Kwok, s.Scheduler, s.KCM} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	if s.Node != nil {
		ps = append(ps, s.Node.Procs()...)
	}
	if s.CMP != nil {
		ps = append(ps, s.CMP.Process)
	}
	if s.API != nil {
		ps = append(ps, s.API.APIServer, s.API.Etcd)
	}
	return ps
}

// StartStack starts the stack without a test; the caller must call Stop.
func StartStack(ctx context.Context, opts Options) (s *Stack, err error) {
	if opts.Argo == "" {
		opts.Argo = cmpserver.ArgoV2
	}
	if opts.PluginYAML == nil {
		return nil, errors.New("loop: Options.PluginYAML is required")
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 120 * time.Second
	}
	// The repo-server runs kustomize and helm for those sources, as
	// Argo CD's image ships them.
	need := []string{tools.KubeAPIServer, tools.Etcd, tools.KubeControllerManager, tools.KubeScheduler,
		tools.RedisServer, string(opts.Argo), tools.Kustomize, tools.Helm}
	if !opts.RealNode {
		need = append(need, tools.Kwok)
	}
	bins, err := tools.LookupAll(need...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()

	dir, err := proc.ShortTempDir("loop")
	if err != nil {
		return nil, err
	}
	s = &Stack{Dir: dir, Argo: opts.Argo, PluginEnv: opts.PluginEnv, Timings: map[string]time.Duration{}}
	start := time.Now()
	mark := func(what string) { s.Timings[what] = time.Since(start) }
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, proc.LogTails(8<<10, s.procs()...))
			_ = s.Stop()
		}
	}()
	for _, d := range []string{"logs", "home", "tmp", "redis", "kwok"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return s, err
		}
	}
	env := proc.BaseEnv("", filepath.Join(dir, "home"), filepath.Join(dir, "tmp"))
	logPath := func(n string) string { return filepath.Join(dir, "logs", n+".log") }

	// Files the stack needs from Argo CD's and kwok's modules.
	crds, err := argoCRDs(ctx, opts.Argo)
	if err != nil {
		return s, err
	}
	var stages, stageCRD []byte
	if !opts.RealNode {
		stages, stageCRD, err = kwokStages(ctx, bins[tools.Kustomize], filepath.Join(dir, "tmp"))
		if err != nil {
			return s, err
		}
	}

	// Kubernetes control plane.
	apiOpts := kubeapi.Options{APIServerPath: bins[tools.KubeAPIServer], EtcdPath: bins[tools.Etcd]}
	controllers := "job-controller,ttl-after-finished-controller,deployment-controller,replicaset-controller,garbage-collector-controller,namespace-controller,serviceaccount-controller,pod-garbage-collector-controller,node-lifecycle-controller"
	if opts.RealNode {
		apiOpts.ExtraArgs = node.APIServerArgs
		controllers += "," + strings.Join(node.Controllers, ",")
	}
	s.API, err = kubeapi.StartServer(ctx, apiOpts)
	if err != nil {
		return s, err
	}
	mark("kube-apiserver")
	kubeconfig := s.API.Kubeconfig()
	ports, err := proc.FreePorts(8)
	if err != nil {
		return s, err
	}
	s.KCM, err = proc.Start(proc.Spec{
		Name: "kube-controller-manager", Path: bins[tools.KubeControllerManager], Env: env, Dir: dir, LogPath: logPath("kcm"),
		Args: []string{
			"--kubeconfig=" + kubeconfig,
			"--bind-address=127.0.0.1",
			"--secure-port=" + strconv.Itoa(ports[0]),
			"--leader-elect=false",
			"--service-account-private-key-file=" + filepath.Join(s.API.CertDir, "sa.key"),
			"--root-ca-file=" + filepath.Join(s.API.CertDir, "apiserver.crt"),
			"--use-service-account-credentials=false",
			"--controllers=" + controllers,
		},
	})
	if err != nil {
		return s, err
	}
	s.Scheduler, err = proc.Start(proc.Spec{
		Name: "kube-scheduler", Path: bins[tools.KubeScheduler], Env: env, Dir: dir, LogPath: logPath("scheduler"),
		Args: []string{"--kubeconfig=" + kubeconfig, "--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(ports[1]), "--leader-elect=false"},
	})
	if err != nil {
		return s, err
	}
	if opts.RealNode {
		s.Node, err = node.Start(ctx, node.Options{API: s.API, Images: opts.NodeImages, Archives: opts.NodeArchives})
		if err != nil {
			return s, err
		}
		mark("node Ready")
	} else if err := s.startKwok(ctx, bins[tools.Kwok], env, stages, stageCRD, ports[2]); err != nil {
		return s, err
	}

	// Argo CD objects; CRDs with server-side apply (too big for the
	// last-applied annotation of client-side apply).
	for _, crd := range crds {
		if err := s.API.ApplyAll(ctx, "", crd); err != nil {
			return s, err
		}
	}
	for _, name := range []string{"applications.argoproj.io", "appprojects.argoproj.io"} {
		if err := waitCRD(ctx, s.API, name); err != nil {
			return s, err
		}
	}
	if err := s.API.ApplyAll(ctx, "", []byte(argoConfig)); err != nil {
		return s, err
	}
	for _, ns := range opts.Namespaces {
		if err := s.API.EnsureNamespace(ctx, ns); err != nil {
			return s, err
		}
	}

	// Redis, the plugin sidecar, repo-server, application controller.
	s.RedisAddr = "127.0.0.1:" + strconv.Itoa(ports[3])
	s.Redis, err = proc.Start(proc.Spec{
		Name: "redis-server", Path: bins[tools.RedisServer], Env: env, Dir: dir, LogPath: logPath("redis"),
		Args: []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(ports[3]), "--save", "", "--appendonly", "no", "--dir", filepath.Join(dir, "redis")},
	})
	if err != nil {
		return s, err
	}
	s.CMP, err = cmpserver.StartServer(ctx, cmpserver.Options{
		Argo: opts.Argo, ArgoPath: bins[string(opts.Argo)], PluginYAML: opts.PluginYAML,
		PATH: opts.PluginPATH, LogLevel: "info", Env: opts.PluginEnv,
	})
	if err != nil {
		return s, err
	}
	argoEnv := append([]string(nil), env...)
	repoPATH := strings.Join([]string{filepath.Dir(bins[tools.Helm]), filepath.Dir(bins[tools.Kustomize]), os.Getenv("PATH")}, string(os.PathListSeparator))
	repoEnv := proc.BaseEnv(repoPATH, filepath.Join(dir, "home"), filepath.Join(dir, "tmp"))
	s.RepoServerAddr = "127.0.0.1:" + strconv.Itoa(ports[4])
	s.RepoServer, err = proc.Start(proc.Spec{
		Name: "argocd-repo-server", Path: bins[string(opts.Argo)], Dir: dir, LogPath: logPath("repo-server"),
		Env: append(repoEnv, "ARGOCD_BINARY_NAME=argocd-repo-server", "ARGOCD_GPG_ENABLED=false",
			"ARGOCD_PLUGINSOCKFILEPATH="+s.CMP.SocketDir),
		Args: []string{"--address", "127.0.0.1", "--port", strconv.Itoa(ports[4]),
			"--metrics-address", "127.0.0.1", "--metrics-port", strconv.Itoa(ports[5]),
			"--redis", s.RedisAddr, "--disable-tls", "--loglevel", "info"},
	})
	if err != nil {
		return s, err
	}
	// The controller's pprof endpoints (on its metrics port) answer when
	// this file says true: Diagnose reads its goroutines.
	//
	// Argo CD acts on watch events and, as a backstop, reconciles every
	// Application again each resync period (180 s by default). A deletion
	// whose events left nothing to do waits for that period, longer than
	// a scenario waits; the stack reconciles every 30 s, without jitter,
	// so a test's patience covers several periods.
	profiler := filepath.Join(dir, "profiler.enabled")
	if err := os.WriteFile(profiler, []byte("true"), 0o644); err != nil {
		return s, err
	}
	s.ControllerMetricsAddr = "127.0.0.1:" + strconv.Itoa(ports[6])
	s.Controller, err = proc.Start(proc.Spec{
		Name: "argocd-application-controller", Path: bins[string(opts.Argo)], Dir: dir, LogPath: logPath("controller"),
		Env: append(argoEnv, "ARGOCD_BINARY_NAME=argocd-application-controller",
			"ARGOCD_FAKE_IN_CLUSTER=true", "KUBECONFIG="+kubeconfig, "ARGOCD_ENABLE_PROFILER_FILE_PATH="+profiler,
			"ARGOCD_RECONCILIATION_TIMEOUT=30s", "ARGOCD_RECONCILIATION_JITTER=0s"),
		Args: []string{"--namespace", ArgoNamespace, "--repo-server", s.RepoServerAddr, "--repo-server-plaintext",
			"--redis", s.RedisAddr, "--metrics-port", strconv.Itoa(ports[6]), "--loglevel", "info"},
	})
	if err != nil {
		return s, err
	}

	s.Repo, err = NewGitRepo(filepath.Join(dir, "repo"))
	if err != nil {
		return s, err
	}

	// Readiness: node Ready and untainted, daemons listening.
	if s.Kwok != nil {
		if err := s.Kwok.WaitUntil(ctx, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
			return nodeReady(ctx, s.API)
		}); err != nil {
			return s, err
		}
		mark("node Ready")
	}
	for _, w := range []struct {
		p    *proc.Process
		addr string
	}{
		{s.Redis, s.RedisAddr},
		{s.RepoServer, s.RepoServerAddr},
		{s.Controller, s.ControllerMetricsAddr},
	} {
		if err := w.p.WaitUntil(ctx, 50*time.Millisecond, func(context.Context) (bool, error) {
			c, err := net.DialTimeout("tcp", w.addr, time.Second)
			if err != nil {
				return false, err
			}
			c.Close()
			return true, nil
		}); err != nil {
			return s, err
		}
	}
	mark("ready")
	return s, nil
}

// startKwok creates the fake node and kwok's stages, and starts kwok.
func (s *Stack) startKwok(ctx context.Context, kwok string, env []string, stages, stageCRD []byte, port int) error {
	if _, err := s.API.Apply(ctx, "", []byte(nodeYAML)); err != nil {
		return err
	}
	// kwok reads its stages as Stage objects (--enable-crds=Stage), so
	// FailJobs can add one while it runs.
	if err := s.API.ApplyAll(ctx, "", stageCRD); err != nil {
		return err
	}
	if err := waitCRD(ctx, s.API, "stages.kwok.x-k8s.io"); err != nil {
		return err
	}
	if err := s.API.ApplyAll(ctx, "", stages); err != nil {
		return err
	}
	kwokCfg := filepath.Join(s.Dir, "kwok", "kwok.yaml")
	if err := os.WriteFile(kwokCfg, []byte(kwokConfig(port)), 0o644); err != nil {
		return err
	}
	var err error
	s.Kwok, err = proc.Start(proc.Spec{
		Name: "kwok", Path: kwok, Env: env, Dir: s.Dir, LogPath: filepath.Join(s.Dir, "logs", "kwok.log"),
		Args: []string{"--kubeconfig=" + s.API.Kubeconfig(), "--config=" + kwokCfg, "--enable-crds=Stage"},
	})
	return err
}

// Stop stops the daemons (controller, repo-server, cmp-server, redis,
// kwok, scheduler, controller manager, then the API server before etcd)
// and removes the directory. It is idempotent.
func (s *Stack) Stop() error {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		recs := s.recorders
		s.mu.Unlock()
		for _, r := range recs {
			r.Stop()
		}
		var errs []error
		for _, p := range []*proc.Process{s.Controller, s.RepoServer} {
			if p != nil {
				errs = append(errs, p.Stop())
			}
		}
		if s.CMP != nil {
			errs = append(errs, s.CMP.Stop())
		}
		for _, p := range []*proc.Process{s.Redis, s.Kwok} {
			if p != nil {
				errs = append(errs, p.Stop())
			}
		}
		if s.Node != nil {
			errs = append(errs, s.Node.Stop())
		}
		for _, p := range []*proc.Process{s.Scheduler, s.KCM} {
			if p != nil {
				errs = append(errs, p.Stop())
			}
		}
		if s.API != nil {
			errs = append(errs, s.API.Stop())
		}
		if s.Dir != "" {
			errs = append(errs, os.RemoveAll(s.Dir))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}
