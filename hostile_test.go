package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The hostile corpus: every directory under testdata/hostile/ is an attack
// on hookgen through repository content, Argo CD's environment or the
// Application's parameters. Each must end with exit code 1, a clear error,
// nothing on stdout, no panic, within bounded CPU time and memory.
//
// A case directory holds:
//
//	README.md  one line: the attack
//	repo/      the repository (symlinks may point next to it, outside)
//	env        Argo CD's environment, KEY=value lines
//	config     the sidecar's config directory (often a link to ../_strict)
//	gen        files made when the test runs, one per line:
//	             sparse PATH BYTES      a file of BYTES zero bytes
//	             fifo PATH              a named pipe
//	             hooks PATH N           a hookgen.yaml with N hooks
//	             docs PATH N            N empty YAML documents
//	             nest PATH N            N nested flow sequences
//	             files DIR N BYTES      N manifest files of BYTES each
//	             env KEY BYTES          an env var of BYTES characters
//	             link PATH TARGET       a symlink to TARGET; absolute links are
//	                                    made here, never committed: Argo CD
//	                                    refuses to check out a repository
//	                                    that holds one, and the Applications
//	                                    of examples/argocd use this one
//	expect     substrings stderr must contain, one per line
//
// Files may name a local HTTP server as @@SERVER@@ (host:port, in UTF-8
// or UTF-16 files): every case runs against it, and it must receive no
// connection at all.
const (
	hostileMaxCPU = 2 * time.Second
	hostileMaxRSS = 200 << 20
)

func TestHostile(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "hostile", "*"))
	if err != nil {
		t.Fatal(err)
	}
	srv := newNetTrap(t)
	t.Cleanup(func() {
		if n, reqs := srv.seen(); n != 0 {
			t.Errorf("the local server accepted %d connections (requests: %q); generation must reach no network", n, reqs)
		}
	})
	n := 0
	for _, dir := range dirs {
		name := filepath.Base(dir)
		if strings.HasPrefix(name, "_") {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runHostile(t, dir, srv.addr())
		})
	}
	if n < 60 {
		t.Errorf("the hostile corpus has %d cases; it must keep at least 60", n)
	}
}

func runHostile(t *testing.T, dir, server string) {
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil || len(bytes.TrimSpace(readme)) == 0 || bytes.Count(bytes.TrimSpace(readme), []byte("\n")) > 0 {
		t.Fatalf("README.md must hold one line describing the attack")
	}
	work := t.TempDir()
	if err := copyTree(dir, work, server); err != nil {
		t.Fatal(err)
	}
	env := readEnv(t, filepath.Join(work, "env"))
	if err := generate(work, env); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "generate")
	cmd.Dir = filepath.Join(work, "repo", filepath.FromSlash(env["ARGOCD_APP_SOURCE_PATH"]))
	cmd.Env = binaryEnv(t, "", caseConfigDir(dir), env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("hookgen did not finish within a minute")
	}
	ps := cmd.ProcessState
	if code := ps.ExitCode(); code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", code, clipText(stderr.String()))
	}
	if stdout.Len() != 0 {
		t.Errorf("%d bytes on stdout; a failing run must print nothing", stdout.Len())
	}
	errText := stderr.String()
	if strings.Contains(errText, "panic") || strings.Contains(errText, "goroutine ") || strings.Contains(errText, "internal error") {
		t.Errorf("hookgen crashed:\n%s", clipText(errText))
	}
	if data, err := os.ReadFile(filepath.Join(dir, "expect")); err == nil {
		for _, want := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if want = strings.TrimSpace(want); want != "" && !strings.Contains(errText, want) {
				t.Errorf("stderr lacks %q:\n%s", want, clipText(errText))
			}
		}
	} else {
		t.Errorf("the case has no expect file")
	}
	for _, secret := range []string{"hunter2", "XXXXXXXXXXXXXXXX"} {
		if strings.Contains(errText, secret) {
			t.Errorf("stderr shows the secret %q", secret)
		}
	}
	ru := ps.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if cpu > hostileMaxCPU {
		t.Errorf("hookgen used %v of CPU; the bound is %v", cpu, hostileMaxCPU)
	}
	t.Logf("%s: cpu %v, peak rss %d MiB", filepath.Base(dir), cpu.Round(time.Millisecond), ru.Maxrss>>10)
	if rss := ru.Maxrss * 1024; rss > hostileMaxRSS {
		t.Errorf("hookgen peaked at %d MiB; the bound is %d MiB", rss>>20, hostileMaxRSS>>20)
	}
}

func clipText(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// copyTree copies a case directory, keeping symlinks as they are and
// writing server for @@SERVER@@.
func copyTree(src, dst, server string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			data = bytes.ReplaceAll(data, []byte("@@SERVER@@"), []byte(server))
			data = bytes.ReplaceAll(data, utf16le("@@SERVER@@"), utf16le(server))
			return os.WriteFile(target, data, 0o644)
		}
	})
}

// generate makes the files a case's gen file asks for.
func generate(work string, env map[string]string) error {
	f, err := os.Open(filepath.Join(work, "gen"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		num := func(i int) int {
			v, _ := strconv.Atoi(fields[i])
			return v
		}
		path := func() string { return filepath.Join(work, "repo", filepath.FromSlash(fields[1])) }
		var err error
		if fields[0] != "env" && fields[0] != "files" {
			err = os.MkdirAll(filepath.Dir(path()), 0o755)
		}
		switch {
		case err != nil:
		case fields[0] == "sparse":
			var f *os.File
			if f, err = os.Create(path()); err == nil {
				err = f.Truncate(int64(num(2)))
				f.Close()
			}
		case fields[0] == "fifo":
			err = syscall.Mkfifo(path(), 0o644)
		case fields[0] == "hooks":
			var b strings.Builder
			b.WriteString("apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks:\n")
			for i := 0; i < num(2); i++ {
				fmt.Fprintf(&b, "  - {name: h%d, uses: job, phase: PostSync, with: {image: \"busybox:1.37\"}}\n", i)
			}
			err = os.WriteFile(path(), []byte(b.String()), 0o644)
		case fields[0] == "docs":
			err = os.WriteFile(path(), bytes.Repeat([]byte("---\na: 1\n"), num(2)), 0o644)
		case fields[0] == "nest":
			n := num(2)
			err = os.WriteFile(path(), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: "+strings.Repeat("[", n)+strings.Repeat("]", n)+"\n"), 0o644)
		case fields[0] == "files":
			line := "# " + strings.Repeat("x", 76) + "\n"
			body := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" + strings.Repeat(line, num(3)/len(line)))
			for i := 0; i < num(2) && err == nil; i++ {
				err = os.WriteFile(filepath.Join(path(), fmt.Sprintf("f%02d.yaml", i)), body, 0o644)
			}
		case fields[0] == "env":
			env[fields[1]] = strings.Repeat("x", num(2))
		case fields[0] == "link":
			err = os.Symlink(fields[2], path())
		default:
			err = fmt.Errorf("gen: unknown directive %q", fields[0])
		}
		if err != nil {
			return err
		}
	}
	return sc.Err()
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// netTrap is a loopback HTTP server that records every connection and
// request it receives.
type netTrap struct {
	ln    net.Listener
	mu    sync.Mutex
	conns int
	reqs  []string
}

func newNetTrap(t *testing.T) *netTrap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nt := &netTrap{ln: ln}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nt.mu.Lock()
		nt.reqs = append(nt.reqs, r.Method+" "+r.URL.String())
		nt.mu.Unlock()
		io.WriteString(w, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fetched}\n")
	})}
	go srv.Serve(trapListener{nt})
	t.Cleanup(func() { srv.Close() })
	return nt
}

func (nt *netTrap) addr() string { return nt.ln.Addr().String() }

func (nt *netTrap) seen() (int, []string) {
	nt.mu.Lock()
	defer nt.mu.Unlock()
	return nt.conns, slices.Clone(nt.reqs)
}

type trapListener struct{ nt *netTrap }

func (l trapListener) Accept() (net.Conn, error) {
	c, err := l.nt.ln.Accept()
	if err == nil {
		l.nt.mu.Lock()
		l.nt.conns++
		l.nt.mu.Unlock()
	}
	return c, err
}
func (l trapListener) Close() error   { return l.nt.ln.Close() }
func (l trapListener) Addr() net.Addr { return l.nt.ln.Addr() }
