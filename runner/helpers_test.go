package runner

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// result is what one in-process "hookgen run" produced.
type result struct {
	code    int
	stdout  string
	stderr  string
	elapsed time.Duration
}

// runMain calls Main in-process and logs its stderr for failing tests.
func runMain(t *testing.T, environ []string, args ...string) result {
	t.Helper()
	return runMainCtx(t, context.Background(), environ, args...)
}

func runMainCtx(t *testing.T, ctx context.Context, environ []string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := Main(ctx, args, environ, &stdout, &stderr)
	res := result{code: code, stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	t.Logf("hookgen run %s -> exit %d in %s\n%s", strings.Join(args, " "), code, res.elapsed.Round(time.Millisecond), res.stderr)
	return res
}

// wantCode fails the test unless the run exited with code.
func (r result) wantCode(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", r.code, code, r.stderr)
	}
}

// noLeak fails the test if any secret appears in stdout or stderr.
func (r result) noLeak(t *testing.T, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(r.stderr, s) || strings.Contains(r.stdout, s) {
			t.Errorf("output leaks secret %q:\n%s%s", s, r.stdout, r.stderr)
		}
	}
}

// attemptLines returns the log lines that report an attempt.
func (r result) attemptLines() []string {
	var out []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, ": attempt ") {
			out = append(out, l)
		}
	}
	return out
}

// request is what the fake server recorded of one request.
type request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	Proxy  bool // the request line carried an absolute URL (a proxied request)
	Host   string
}

// step answers one request; it returns false when it took the connection
// over (and closed it).
type step func(w http.ResponseWriter, r *http.Request)

// fakeServer is a loopback HTTP server that records requests and answers
// them with a script of steps; the last step repeats.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []request
	script []step
}

func newFakeServer(t *testing.T, script ...step) *fakeServer {
	t.Helper()
	fs := &fakeServer{script: script}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fs.mu.Lock()
	n := len(fs.reqs)
	fs.reqs = append(fs.reqs, request{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), Body: body,
		Proxy: r.URL.IsAbs(), Host: r.Host})
	s := fs.script[min(n, len(fs.script)-1)]
	fs.mu.Unlock()
	s(w, r)
}

func (fs *fakeServer) requests() []request {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]request(nil), fs.reqs...)
}

// Steps.

func status(code int, body string, headers ...string) step {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func ok() step { return status(http.StatusOK, "ok") }

// slow answers 200 after d, or gives up when the client goes away.
func slow(d time.Duration) step {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
			w.WriteHeader(http.StatusOK)
		case <-r.Context().Done():
		}
	}
}

// reset takes the connection over and closes it without an answer.
func reset() step {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		conn.Close()
	}
}

// writeFile writes a file in a test directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// fast are retry flags that keep tests quick.
var fast = []string{"--backoff=20ms", "--max-backoff=100ms", "--timeout=2s", "--deadline=10s"}

func args(a ...[]string) []string {
	var out []string
	for _, x := range a {
		out = append(out, x...)
	}
	return out
}
