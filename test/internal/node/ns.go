package node

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// envNS marks the re-executed program running in the node's private mount
// and network namespaces ("1"), or why they could not be made.
const envNS = "HOOKGEN_NODE_NS"

// envLoopNetns is the loop package's marker of a private network
// namespace; the node's namespaces are one too.
const envLoopNetns = "HOOKGEN_LOOP_NETNS"

// Network of the node: the node's IP on one end of a veth pair, the pods'
// bridge network, and the address of the DNS server that resolves
// Services for the pods.
const (
	NodeIP     = "10.77.0.1"
	nodeCIDR   = NodeIP + "/24"
	nodeGW     = "10.77.0.254"
	PodCIDR    = "10.88.0.0/24"
	ServiceDNS = NodeIP
)

// Main runs a test package inside a private mount and network namespace
// set up for a real node (see RunInNamespaces):
//
//	func TestMain(m *testing.M) { os.Exit(node.Main(m)) }
func Main(m *testing.M) int { return RunInNamespaces(m.Run) }

// RunInNamespaces re-executes the program (same arguments, standard
// streams) in new mount and network namespaces and returns its exit code;
// in the re-executed program it prepares them and calls run:
//
//   - the mounts are private, and tmpfs covers /run, /var/lib and /var/log
//     (the kubelet hard-codes paths there, libcni caches in /var/lib/cni,
//     containerd pins network namespaces under /run);
//   - lo is up, and a veth pair carries NodeIP with a default route, so
//     the kubelet and kube-proxy find a node address.
//
// It needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN). Without it, run is
// called in place and InNamespaces says why; starting a node then fails
// with that reason.
func RunInNamespaces(run func() int) int {
	switch v := os.Getenv(envNS); {
	case v == "1":
		if err := setupNamespaces(); err != nil {
			fmt.Fprintln(os.Stderr, "node: preparing the namespaces:", err)
			return 1
		}
		return run()
	case v != "":
		return run()
	}
	if os.Getuid() != 0 {
		os.Setenv(envNS, "unavailable: a real node needs root (mount and network namespaces, cgroups, runc)")
		return run()
	}
	exe, err := os.Executable()
	if err != nil {
		os.Setenv(envNS, "unavailable: "+err.Error())
		return run()
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envNS+"=1", envLoopNetns+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		os.Setenv(envNS, "unavailable: "+err.Error())
		return run()
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "node:", err)
		return 1
	}
	return 0
}

// InNamespaces reports whether the program runs in the node's namespaces,
// and why not otherwise.
func InNamespaces() (bool, string) {
	switch v := os.Getenv(envNS); v {
	case "1":
		return true, ""
	case "":
		return false, "neither node.Main nor node.RunInNamespaces runs the program"
	default:
		return false, strings.TrimPrefix(v, "unavailable: ")
	}
}

func setupNamespaces() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making / private: %w", err)
	}
	for _, d := range []string{"/run", "/var/lib", "/var/log"} {
		if err := unix.Mount("tmpfs", d, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
			return fmt.Errorf("tmpfs on %s: %w", d, err)
		}
	}
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "hgnode0", "type", "veth", "peer", "name", "hgnode1"},
		{"addr", "add", nodeCIDR, "dev", "hgnode0"},
		{"link", "set", "hgnode0", "up"},
		{"link", "set", "hgnode1", "up"},
		{"route", "add", "default", "via", nodeGW, "dev", "hgnode0"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}
