package plugin

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// countingListener counts the connections a local server accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// localServer starts a loopback HTTP server that counts connections.
func localServer(t *testing.T) *countingListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "fetched")
	})}
	go srv.Serve(cl)
	t.Cleanup(func() { srv.Close() })
	return cl
}

// TestIsolate checks that a sealed process reaches no server and runs no
// program, whatever it uses: net/http's defaults, a client of its own on
// the default transport, a raw dial, exec by name or by path. The sealing
// is permanent, so it runs in a child process.
func TestIsolate(t *testing.T) {
	if addr := os.Getenv("HOOKGEN_ISOLATE_CHILD"); addr != "" {
		isolateChild(addr)
		return
	}
	srv := localServer(t)
	for _, cmdName := range []string{"generate", "render", "validate", "explain", "krm", "parameters", "policy"} {
		t.Run(cmdName, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestIsolate$")
			cmd.Env = append(os.Environ(), "HOOKGEN_ISOLATE_CHILD="+srv.Addr().String(), "HOOKGEN_ISOLATE_CMD="+cmdName)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			for _, want := range []string{"http.Get: refused", "client: refused", "dial: refused", "exec by path: refused", "exec by name: refused", "lookup: refused"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("child output lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(string(out), errOffline.Error()) {
				t.Errorf("the refusal does not say why:\n%s", out)
			}
		})
	}
	if n := srv.n.Load(); n != 0 {
		t.Errorf("the local server accepted %d connections, want 0", n)
	}
	// The runner is the one command left connected.
	cmd := exec.Command(os.Args[0], "-test.run=^TestIsolate$")
	cmd.Env = append(os.Environ(), "HOOKGEN_ISOLATE_CHILD="+srv.Addr().String(), "HOOKGEN_ISOLATE_CMD=run")
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "http.Get: ok") {
		t.Errorf("hookgen run was sealed too:\n%s", out)
	}
}

func isolateChild(addr string) {
	Isolate([]string{os.Getenv("HOOKGEN_ISOLATE_CMD")})
	report := func(what string, err error) {
		if err != nil {
			fmt.Printf("%s: refused: %v\n", what, err)
		} else {
			fmt.Printf("%s: ok\n", what)
		}
	}
	resp, err := http.Get("http://" + addr + "/x")
	if err == nil {
		resp.Body.Close()
	}
	report("http.Get", err)
	resp, err = (&http.Client{}).Get("http://" + addr + "/y")
	if err == nil {
		resp.Body.Close()
	}
	report("client", err)
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
	}
	report("dial", err)
	report("exec by path", exec.Command("/bin/sh", "-c", "exit 0").Run())
	report("exec by name", exec.Command("sh", "-c", "exit 0").Run())
	_, err = net.DefaultResolver.LookupHost(context.Background(), "hookgen-isolate-test.example")
	report("lookup", err)
}
