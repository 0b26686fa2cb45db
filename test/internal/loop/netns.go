package loop

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// envNetns marks the re-executed test binary running in its own network
// namespace ("1"), or a run where creating one failed ("unavailable: ...").
const envNetns = "HOOKGEN_LOOP_NETNS"

// Main runs the package's tests inside a private network namespace, so the
// loopback listeners of the stack (and the application controller's metrics
// listener, which Argo CD binds to 0.0.0.0) are invisible outside and
// parallel test binaries cannot collide:
//
//	func TestMain(m *testing.M) { os.Exit(loop.Main(m)) }
//
// The test binary re-executes itself in a new user + network namespace
// (like unshare -rn; as root a plain network namespace is the fallback)
// and brings up its loopback interface. If no namespace can be created
// the tests run in the host network; Netns reports which case applies.
func Main(m *testing.M) int { return RunInNetns(m.Run) }

// RunInNetns is Main for a command: it re-executes the program with the
// same arguments in a private user + network namespace and returns the
// exit code of that run, or, in the re-executed program (or where no
// namespace can be created), calls run and returns its code:
//
//	func main() { os.Exit(loop.RunInNetns(realMain)) }
//
// Standard input, output and error are the program's own.
func RunInNetns(run func() int) int {
	switch v := os.Getenv(envNetns); {
	case v == "1":
		if err := loopbackUp(); err != nil {
			fmt.Fprintln(os.Stderr, "loop: bringing up lo in the network namespace:", err)
			return 1
		}
		return run()
	case v != "":
		return run() // a previous attempt already failed; run in place
	}
	code, err := reexecInNetns()
	if err == nil {
		return code
	}
	os.Setenv(envNetns, "unavailable: "+err.Error())
	return run()
}

// Netns reports whether the tests run in a private network namespace, and
// why not otherwise.
func Netns() (bool, string) {
	v := os.Getenv(envNetns)
	switch v {
	case "1":
		return true, ""
	case "":
		return false, "neither loop.Main nor loop.RunInNetns runs the program"
	default:
		return false, v
	}
}

func reexecInNetns() (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	attempts := []*syscall.SysProcAttr{{
		Cloneflags:                 syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		GidMappingsEnableSetgroups: false,
	}}
	if os.Getuid() == 0 {
		attempts = append(attempts, &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET})
	}
	var errs []error
	for _, attr := range attempts {
		cmd := exec.Command(exe, os.Args[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.Env = append(os.Environ(), envNetns+"=1")
		attr.Pdeathsig = syscall.SIGKILL
		cmd.SysProcAttr = attr
		err := cmd.Start()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), nil
		}
		if err != nil {
			return 1, err
		}
		return 0, nil
	}
	return 0, errors.Join(errs...)
}

// loopbackUp sets IFF_UP on lo (what "ip link set lo up" does).
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP | unix.IFF_RUNNING)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}
