package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Spec describes a daemon to start.
type Spec struct {
	// Name is used in messages and log dumps.
	Name string
	// Path is the executable; Args are its arguments (without argv[0]).
	Path string
	Args []string
	// Env is the complete environment. The daemon does not inherit the test
	// process environment.
	Env []string
	// Dir is the working directory (default: the test process's).
	Dir string
	// LogPath receives stdout and stderr. Required.
	LogPath string
	// StopSignal is sent by Stop first (default SIGTERM). Use SIGKILL for
	// daemons that ignore SIGTERM, such as argocd-cmp-server.
	StopSignal syscall.Signal
	// StopTimeout is how long Stop waits before sending SIGKILL (default 10s).
	StopTimeout time.Duration
}

// Process is a running daemon.
type Process struct {
	spec    Spec
	cmd     *exec.Cmd
	log     *os.File
	done    chan struct{}
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// Start starts the daemon described by spec.
func Start(spec Spec) (*Process, error) {
	if spec.Name == "" {
		spec.Name = filepath.Base(spec.Path)
	}
	if spec.LogPath == "" {
		return nil, fmt.Errorf("proc: %s: LogPath is required", spec.Name)
	}
	if spec.StopSignal == 0 {
		spec.StopSignal = syscall.SIGTERM
	}
	if spec.StopTimeout == 0 {
		spec.StopTimeout = 10 * time.Second
	}
	logf, err := os.OpenFile(spec.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("proc: %s: %w", spec.Name, err)
	}
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env = spec.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Dir = spec.Dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // Stop signals the whole group
		Pdeathsig: syscall.SIGKILL, // never outlive the test binary
	}
	fmt.Fprintf(logf, "# %s: %s %s\n", time.Now().Format(time.RFC3339Nano), spec.Path, strings.Join(spec.Args, " "))
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("proc: starting %s: %w", spec.Name, err)
	}
	p := &Process{spec: spec, cmd: cmd, log: logf, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Name returns the daemon's name.
func (p *Process) Name() string { return p.spec.Name }

// Pid returns the daemon's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// LogPath returns the path of the daemon's log file.
func (p *Process) LogPath() string { return p.spec.LogPath }

// Exited reports whether the daemon has exited, and its wait error.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.waitErr
	default:
		return false, nil
	}
}

// Stop sends the stop signal to the daemon's process group, waits up to the
// stop timeout, then SIGKILLs the group. It is idempotent and returns nil
// when the daemon ended because of the signals sent here.
func (p *Process) Stop() error {
	p.stopOnce.Do(func() {
		defer p.log.Close()
		if exited, err := p.Exited(); exited {
			if err != nil {
				p.stopErr = fmt.Errorf("proc: %s had already exited: %w; the end of its log (%s):\n%s",
					p.spec.Name, err, p.spec.LogPath, readTail(p.spec.LogPath, 0, 4096))
			}
			return
		}
		pgid := -p.cmd.Process.Pid
		_ = syscall.Kill(pgid, p.spec.StopSignal)
		select {
		case <-p.done:
		case <-time.After(p.spec.StopTimeout):
			_ = syscall.Kill(pgid, syscall.SIGKILL)
			<-p.done
			fmt.Fprintf(p.log, "# %s: killed after %s\n", time.Now().Format(time.RFC3339Nano), p.spec.StopTimeout)
		}
		// Reap anything left in the group (plugin commands and the like).
		_ = syscall.Kill(pgid, syscall.SIGKILL)
	})
	return p.stopErr
}

// LogSize returns the current size of the log file, for use with LogSince.
func (p *Process) LogSize() int64 {
	fi, err := os.Stat(p.spec.LogPath)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// LogSince returns the log written after offset, at most max bytes (the tail).
func (p *Process) LogSince(offset int64, max int) string {
	return readTail(p.spec.LogPath, offset, max)
}

// LogTail returns the last max bytes of the log.
func (p *Process) LogTail(max int) string {
	return readTail(p.spec.LogPath, 0, max)
}

func readTail(path string, offset int64, max int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	start := offset
	truncated := false
	if max > 0 && fi.Size()-start > int64(max) {
		start = fi.Size() - int64(max)
		truncated = true
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return err.Error()
	}
	b, _ := io.ReadAll(f)
	if truncated {
		return fmt.Sprintf("[... %d earlier bytes in %s ...]\n%s", start-offset, path, b)
	}
	return string(b)
}

// LogTails returns the last max bytes of each daemon's log, each under a
// "---- log of <name> ----" line, for error messages. Nil processes are
// skipped.
func LogTails(max int, procs ...*Process) string {
	var b strings.Builder
	for _, p := range procs {
		if p != nil {
			fmt.Fprintf(&b, "---- log of %s ----\n%s\n", p.Name(), p.LogTail(max))
		}
	}
	return b.String()
}

// DefaultLogTail is how much of a daemon log DumpLogsOnFailure prints.
const DefaultLogTail = 32 << 10

// DumpLogsOnFailure registers a cleanup that, if the test failed, logs the
// tail of each daemon's log.
func DumpLogsOnFailure(t testing.TB, procs ...*Process) {
	t.Helper()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, p := range procs {
			if p != nil {
				t.Logf("---- log of %s (pid %d, %s) ----\n%s", p.Name(), p.Pid(), p.LogPath(), p.LogTail(DefaultLogTail))
			}
		}
	})
}

// ErrExited is wrapped by WaitUntil when the daemon exits while waiting.
var ErrExited = errors.New("daemon exited")

// WaitUntil polls ready every interval until it returns true, the context
// ends, or the daemon exits. ready's last error is included in timeouts.
func (p *Process) WaitUntil(ctx context.Context, interval time.Duration, ready func(context.Context) (bool, error)) error {
	lastErr, err := poll(ctx, interval, p.done, func() (bool, error) { return ready(ctx) })
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errStopped):
		return fmt.Errorf("%s: %w (%v) before it was ready; log tail:\n%s", p.spec.Name, ErrExited, p.waitErr, p.LogTail(8<<10))
	default:
		return fmt.Errorf("%s: not ready: %w (last check: %v); log tail:\n%s", p.spec.Name, err, lastErr, p.LogTail(8<<10))
	}
}

// Poll calls ready, then again interval after each call that returns
// false, until it returns true (Poll returns nil) or ctx ends. It then
// returns ctx.Err(), wrapped with ready's last error if that was not nil.
func Poll(ctx context.Context, interval time.Duration, ready func() (bool, error)) error {
	lastErr, err := poll(ctx, interval, nil, ready)
	if err != nil && lastErr != nil {
		return fmt.Errorf("%w (last error: %v)", err, lastErr)
	}
	return err
}

// errStopped is returned by poll when stop is closed.
var errStopped = errors.New("stopped")

// poll is Poll that also ends, with errStopped, when stop is closed (a nil
// stop never is). It returns ready's last error and why it ended: nil when
// ready returned true, else errStopped or ctx.Err().
func poll(ctx context.Context, interval time.Duration, stop <-chan struct{}, ready func() (bool, error)) (lastErr, err error) {
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		ok, err := ready()
		if ok {
			return nil, nil
		}
		lastErr = err
		timer.Reset(interval)
		select {
		case <-stop:
			return lastErr, errStopped
		case <-ctx.Done():
			return lastErr, ctx.Err()
		case <-timer.C:
		}
	}
}

// ShortTempDir creates a directory with a short path (for unix sockets) and
// returns it. The caller removes it.
func ShortTempDir(prefix string) (string, error) {
	base := os.TempDir()
	if len(base) > 40 {
		base = "/tmp"
	}
	return os.MkdirTemp(base, prefix)
}

// TestShortTempDir is ShortTempDir for a test: it is removed at cleanup.
func TestShortTempDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := ShortTempDir(prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// BaseEnv returns a small hermetic environment for a daemon: PATH (the test
// process's unless path is set), HOME and TMPDIR, then extra entries.
func BaseEnv(path, home, tmp string, extra ...string) []string {
	if path == "" {
		path = os.Getenv("PATH")
	}
	env := []string{"PATH=" + path, "HOME=" + home, "TMPDIR=" + tmp, "LANG=C.UTF-8"}
	return append(env, extra...)
}

// FreePorts returns n distinct free TCP ports on 127.0.0.1.
func FreePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
