package node

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hookgen/hookgen/test/internal/kubeapi"
	"github.com/hookgen/hookgen/test/internal/proc"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// NodeName is the real node's name.
const NodeName = "node-0"

// RuncPath is Debian's runc, which containerd's shim runs.
const RuncPath = "/usr/sbin/runc"

// Ports of the node's daemons (the node has its own network namespace).
const (
	kubeletPort       = 10250
	kubeletHealthz    = 10248
	proxyHealthzPort  = 10256
	proxyMetricsPort  = 10249
	lockFile          = "hookgen-real-node.lock"
	kubepodsCgroup    = "kubepods"
	cgroupRoot        = "/sys/fs/cgroup"
	containerdNS      = "k8s.io"
	defaultReadyLimit = 90 * time.Second
)

// Options configures Start.
type Options struct {
	// API is the cluster's API server (started with APIServerArgs).
	API *kubeapi.Server
	// Images are imported into containerd (StandardImages gives the usual
	// set; PauseImage must be among them).
	Images []Image
	// Archives are images built elsewhere (HookgenArchive), imported as
	// they are.
	Archives []Archive
	// ReadyTimeout bounds the start (default 90s).
	ReadyTimeout time.Duration
}

// APIServerArgs are the kube-apiserver flags a real node needs: the
// kubelet is reached at its InternalIP (the node name is in no DNS).
var APIServerArgs = []string{"--kubelet-preferred-address-types=InternalIP"}

// Controllers are the kube-controller-manager controllers a real node
// needs besides the loop's: Services get EndpointSlices.
var Controllers = []string{"endpointslice-controller"}

// Node is a running real node: containerd (with runc and the CNI bridge),
// the kubelet, kube-proxy in nftables mode, a DNS server for Services and
// the recording sink.
type Node struct {
	Name string
	Dir  string
	// Socket is containerd's socket.
	Socket string
	// Sink records what the pods send to SinkURL.
	Sink *Sink

	Containerd, Kubelet, KubeProxy *proc.Process

	// Timings of the start, for reports.
	Timings map[string]time.Duration

	api  *kubeapi.Server
	bins map[string]string
	dns  *dnsServer
	lock *os.File
}

// Procs returns the node's daemons that run, for log dumps.
func (n *Node) Procs() []*proc.Process {
	var ps []*proc.Process
	for _, p := range []*proc.Process{n.KubeProxy, n.Kubelet, n.Containerd} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// Start brings a node up against opts.API: it must run in the namespaces
// RunInNamespaces makes, and takes the host-wide node lock (the kubelet's
// cgroups are host-wide) until Stop.
func Start(ctx context.Context, opts Options) (n *Node, err error) {
	if in, why := InNamespaces(); !in {
		return nil, fmt.Errorf("node: a real node needs its own mount and network namespaces: %s (run the tests through node.Main)", why)
	}
	if _, err := os.Stat(RuncPath); err != nil {
		return nil, fmt.Errorf("node: %s missing: install Debian's runc (apt-get install runc)", RuncPath)
	}
	bins, err := tools.LookupAll(tools.Containerd, tools.ContainerdShim, tools.Ctr, tools.Kubelet, tools.KubeProxy,
		tools.CNIBridge, tools.CNIHostLocal, tools.CNILoopback, tools.Nft)
	if err != nil {
		return nil, err
	}
	if opts.API == nil {
		return nil, errors.New("node: Options.API is required")
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = defaultReadyLimit
	}
	n = &Node{Name: NodeName, api: opts.API, bins: bins, Timings: map[string]time.Duration{}}
	lockStart := time.Now()
	if n.lock, err = takeLock(ctx); err != nil {
		return nil, err
	}
	n.Timings["lock wait"] = time.Since(lockStart)
	ctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()
	start := time.Now()
	mark := func(what string) { n.Timings[what] = time.Since(start) }
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, proc.LogTails(8<<10, n.Procs()...))
			_ = n.Stop()
		}
	}()
	if n.Dir, err = proc.ShortTempDir("node"); err != nil {
		return n, err
	}
	d := func(p ...string) string { return filepath.Join(append([]string{n.Dir}, p...)...) }
	for _, p := range []string{"containerd/root", "containerd/state", "containerd/opt", "runc", "cni/bin", "cni/conf", "cni/data",
		"kubelet/pki", "pod-logs", "volume-plugins", "logs", "images", "tmp", "home"} {
		if err := os.MkdirAll(d(p), 0o755); err != nil {
			return n, err
		}
	}
	n.Socket = d("containerd", "c.sock")
	toolDir := filepath.Dir(bins[tools.Containerd])
	path := toolDir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	env := proc.BaseEnv(path, d("home"), d("tmp"))

	// CNI plugins under the names containerd looks for, and the network.
	for link, bin := range map[string]string{"bridge": tools.CNIBridge, "host-local": tools.CNIHostLocal, "loopback": tools.CNILoopback} {
		target, err := filepath.EvalSymlinks(bins[bin])
		if err != nil {
			return n, err
		}
		if err := os.Symlink(target, d("cni", "bin", link)); err != nil {
			return n, err
		}
	}
	if err := os.WriteFile(d("cni", "conf", "10-bridge.conflist"), []byte(cniConfig(d("cni", "data"))), 0o644); err != nil {
		return n, err
	}

	// containerd.
	if err := os.WriteFile(d("containerd", "config.toml"), []byte(containerdConfig(n.Dir, n.Socket)), 0o644); err != nil {
		return n, err
	}
	n.Containerd, err = proc.Start(proc.Spec{
		Name: "containerd", Path: bins[tools.Containerd], Env: env, Dir: n.Dir, LogPath: d("logs", "containerd.log"),
		Args: []string{"--config", d("containerd", "config.toml"), "--log-level", "warn"},
	})
	if err != nil {
		return n, err
	}
	if err := n.Containerd.WaitUntil(ctx, 50*time.Millisecond, func(context.Context) (bool, error) {
		c, err := net.DialTimeout("unix", n.Socket, time.Second)
		if err != nil {
			return false, err
		}
		c.Close()
		return true, nil
	}); err != nil {
		return n, err
	}
	mark("containerd")
	if err := n.Import(ctx, opts.Images...); err != nil {
		return n, err
	}
	for _, a := range opts.Archives {
		if err := n.importArchive(ctx, a); err != nil {
			return n, err
		}
	}
	mark("images")

	// Service DNS and the sink, on the node IP.
	if n.dns, err = startDNS(net.JoinHostPort(ServiceDNS, "53"), n.serviceIP); err != nil {
		return n, fmt.Errorf("node: DNS server: %w", err)
	}
	if n.Sink, err = startSink(NodeIP); err != nil {
		return n, fmt.Errorf("node: sink: %w", err)
	}
	if err := applySinkObjects(ctx, n.api); err != nil {
		return n, err
	}

	// kubelet.
	kubeconfig := n.api.Kubeconfig()
	if err := os.WriteFile(d("kubelet.yaml"), []byte(kubeletConfig(n.Dir, n.Socket)), 0o644); err != nil {
		return n, err
	}
	n.Kubelet, err = proc.Start(proc.Spec{
		Name: "kubelet", Path: bins[tools.Kubelet], Env: env, Dir: n.Dir, LogPath: d("logs", "kubelet.log"),
		Args: []string{"--config=" + d("kubelet.yaml"), "--kubeconfig=" + kubeconfig, "--root-dir=" + d("kubelet"),
			"--cert-dir=" + d("kubelet", "pki"), "--hostname-override=" + NodeName, "--node-ip=" + NodeIP, "--v=1"},
		StopTimeout: 15 * time.Second,
	})
	if err != nil {
		return n, err
	}
	// kube-proxy.
	if err := os.WriteFile(d("kube-proxy.yaml"), []byte(kubeProxyConfig(kubeconfig)), 0o644); err != nil {
		return n, err
	}
	n.KubeProxy, err = proc.Start(proc.Spec{
		Name: "kube-proxy", Path: bins[tools.KubeProxy], Env: env, Dir: n.Dir, LogPath: d("logs", "kube-proxy.log"),
		Args: []string{"--config=" + d("kube-proxy.yaml"), "--v=1"},
	})
	if err != nil {
		return n, err
	}
	if err := n.Kubelet.WaitUntil(ctx, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		return NodeReady(ctx, n.api, NodeName)
	}); err != nil {
		return n, err
	}
	mark("node Ready")
	hc := &http.Client{Timeout: time.Second}
	if err := n.KubeProxy.WaitUntil(ctx, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/healthz", proxyHealthzPort), nil)
		resp, err := hc.Do(req)
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, fmt.Errorf("kube-proxy healthz: %s", resp.Status)
	}); err != nil {
		return n, err
	}
	mark("kube-proxy")
	return n, nil
}

// Import writes the images as OCI archives and imports them into
// containerd's k8s.io namespace, where the kubelet finds them.
func (n *Node) Import(ctx context.Context, images ...Image) error {
	for i, img := range images {
		file := filepath.Join(n.Dir, "images", fmt.Sprintf("%d.tar", i))
		if err := img.WriteArchiveFile(file); err != nil {
			return err
		}
		if out, err := n.ctr(ctx, "images", "import", "--platform", "linux/amd64", file); err != nil {
			return fmt.Errorf("node: importing %s: %v\n%s", img.Name, err, out)
		}
		_ = os.Remove(file)
	}
	return nil
}

func (n *Node) ctr(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, n.bins[tools.Ctr], append([]string{"--address", n.Socket, "--namespace", containerdNS}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR=" + filepath.Join(n.Dir, "tmp")}
	return cmd.CombinedOutput()
}

// serviceIP is the DNS server's lookup: a Service's ClusterIP.
func (n *Node) serviceIP(ctx context.Context, namespace, name string) (string, error) {
	obj, found, err := n.api.GetObject(ctx, "v1", "Service", namespace, name)
	if err != nil || !found {
		return "", err
	}
	ip, _ := kubeapi.Nested(obj, "spec", "clusterIP").(string)
	if ip == "None" {
		return "", nil
	}
	return ip, nil
}

// Stop deletes the node's pods, stops kube-proxy, the kubelet, the
// containers and containerd, unmounts what they left under the node's
// directory, removes the kubelet's cgroups and the directory, and releases
// the node lock. It is idempotent.
func (n *Node) Stop() error {
	var errs []error
	if n.Kubelet != nil {
		if exited, _ := n.Kubelet.Exited(); !exited {
			errs = append(errs, n.deletePods(20*time.Second))
		}
	}
	for _, p := range []*proc.Process{n.KubeProxy, n.Kubelet} {
		if p != nil {
			errs = append(errs, p.Stop())
		}
	}
	if n.Containerd != nil {
		if exited, _ := n.Containerd.Exited(); !exited {
			n.killTasks()
		}
		errs = append(errs, n.Containerd.Stop())
	}
	if n.Dir != "" {
		n.killShims()
		unmountUnder(n.Dir)
		errs = append(errs, removeCgroups())
		errs = append(errs, os.RemoveAll(n.Dir))
	}
	if n.dns != nil {
		n.dns.Close()
		n.dns = nil
	}
	if n.Sink != nil {
		errs = append(errs, n.Sink.Close())
	}
	if n.lock != nil {
		n.lock.Close() // releases the flock
		n.lock = nil
	}
	return errors.Join(errs...)
}

// deletePods deletes every pod on the node and waits until the kubelet has
// stopped them.
func (n *Node) deletePods(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	pods := func() ([]map[string]any, error) {
		r, err := n.api.Get(ctx, "/api/v1/pods?fieldSelector=spec.nodeName%3D"+NodeName)
		if err != nil {
			return nil, err
		}
		items, _ := r.Object["items"].([]any)
		var out []map[string]any
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out, nil
	}
	list, err := pods()
	if err != nil {
		return err
	}
	for _, p := range list {
		ns, _ := kubeapi.Nested(p, "metadata", "namespace").(string)
		name, _ := kubeapi.Nested(p, "metadata", "name").(string)
		_, _ = n.api.Do(ctx, http.MethodDelete, "/api/v1/namespaces/"+ns+"/pods/"+name, []byte(`{"gracePeriodSeconds":1}`), "application/json")
	}
	return proc.Poll(ctx, 200*time.Millisecond, func() (bool, error) {
		l, err := pods()
		if err != nil {
			return false, err
		}
		if len(l) > 0 {
			return false, fmt.Errorf("node: %d pods still on the node", len(l))
		}
		return true, nil
	})
}

// killTasks kills and deletes every container task left in containerd.
func (n *Node) killTasks() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := n.ctr(ctx, "tasks", "ls", "-q")
	if err != nil {
		return
	}
	for _, id := range strings.Fields(string(out)) {
		_, _ = n.ctr(ctx, "tasks", "kill", "-s", "SIGKILL", id)
		_, _ = n.ctr(ctx, "tasks", "delete", "-f", id)
	}
}

// killShims kills the shim processes this node's containerd started that
// are still alive (they name the node's directory in their arguments).
func (n *Node) killShims() {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmdline), "\x00")
		if len(args) > 0 && filepath.Base(args[0]) == "containerd-shim-runc-v2" && bytes.Contains(cmdline, []byte(n.Socket)) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// unmountUnder detaches every mount below dir, deepest first.
func unmountUnder(dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var mps []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			mps = append(mps, fields[4])
		}
	}
	sort.Slice(mps, func(i, j int) bool { return len(mps[i]) > len(mps[j]) })
	for _, mp := range mps {
		_ = unix.Unmount(mp, unix.MNT_DETACH)
	}
}

// removeCgroups removes the kubepods trees the kubelet made in every cgroup
// hierarchy (cgroup v1 trees are host-wide), deepest first.
func removeCgroups() error {
	hs, err := os.ReadDir(cgroupRoot)
	if err != nil {
		return nil
	}
	var errs []error
	for _, h := range hs {
		top := filepath.Join(cgroupRoot, h.Name(), kubepodsCgroup)
		if _, err := os.Stat(top); err != nil {
			continue
		}
		var dirs []string
		_ = filepath.WalkDir(top, func(p string, de fs.DirEntry, err error) error {
			if err == nil && de.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		// Whatever still runs there is a container of this node (one node
		// at a time holds the lock) that the kubelet and containerd did
		// not stop: a container whose shim was killed lives on, a child
		// of init.
		for _, d := range dirs {
			b, _ := os.ReadFile(filepath.Join(d, "cgroup.procs"))
			for _, f := range strings.Fields(string(b)) {
				var pid int
				if _, err := fmt.Sscanf(f, "%d", &pid); err == nil && pid > 1 && pid != os.Getpid() {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		for i := len(dirs) - 1; i >= 0; i-- {
			// A cgroup whose last process just died can be busy a moment.
			for try := 0; ; try++ {
				err := unix.Rmdir(dirs[i])
				if err == nil || errors.Is(err, unix.ENOENT) {
					break
				}
				if try == 20 {
					errs = append(errs, fmt.Errorf("node: rmdir %s: %w", dirs[i], err))
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
	return errors.Join(errs...)
}

// takeLock takes the host-wide node lock (a flock in the host's temp dir,
// which the node's namespaces share), waiting for another node to end.
func takeLock(ctx context.Context) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("node: another real node holds %s: %w", f.Name(), ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// NodeReady reports whether the node is Ready and no longer tainted
// not-ready (the node-lifecycle controller removes the taint).
func NodeReady(ctx context.Context, api *kubeapi.Server, name string) (bool, error) {
	obj, found, err := api.GetObject(ctx, "v1", "Node", "", name)
	if err != nil || !found {
		return false, err
	}
	conds, _ := kubeapi.Nested(obj, "status", "conditions").([]any)
	ready := false
	for _, c := range conds {
		if m, _ := c.(map[string]any); m["type"] == "Ready" && m["status"] == "True" {
			ready = true
		}
	}
	if !ready {
		return false, fmt.Errorf("node %s not Ready", name)
	}
	taints, _ := kubeapi.Nested(obj, "spec", "taints").([]any)
	for _, tt := range taints {
		if m, _ := tt.(map[string]any); m["key"] == "node.kubernetes.io/not-ready" {
			return false, fmt.Errorf("node %s still tainted not-ready", name)
		}
	}
	return true, nil
}
