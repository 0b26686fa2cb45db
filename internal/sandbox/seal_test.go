package sandbox

import (
	"context"
	"fmt"
	"io"
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

// TestSeal checks that a sealed process reaches no server and runs no
// program, whatever it uses: net/http's defaults, a client of its own on
// the default transport, a raw dial, exec by name or by path, the
// resolver. The sealing is permanent, so it runs in a child process.
func TestSeal(t *testing.T) {
	if addr := os.Getenv("HOOKGEN_SEAL_CHILD"); addr != "" {
		Seal()
		sealChild(addr)
		return
	}
	srv := localServer(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSeal$")
	cmd.Env = append(os.Environ(), "HOOKGEN_SEAL_CHILD="+srv.Addr().String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, want := range []string{"http.Get: refused", "client: refused", "dial: refused", "exec by path: refused", "exec by name: refused", "lookup: refused"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(string(out), ErrOffline.Error()) {
		t.Errorf("the refusal does not say why:\n%s", out)
	}
	if n := srv.n.Load(); n != 0 {
		t.Errorf("the local server accepted %d connections, want 0", n)
	}
}

// TestUnsealed checks that the probes of TestSeal do reach the server
// from a process that is not sealed, so that a refusal there is Seal's.
func TestUnsealed(t *testing.T) {
	srv := localServer(t)
	var out strings.Builder
	get(&out, srv.Addr().String())
	if !strings.Contains(out.String(), "http.Get: ok") || srv.n.Load() == 0 {
		t.Errorf("an unsealed process did not reach the local server:\n%s", out.String())
	}
}

// get probes the local server with net/http's default client.
func get(w io.Writer, addr string) {
	resp, err := http.Get("http://" + addr + "/x")
	if err == nil {
		resp.Body.Close()
	}
	report(w, "http.Get", err)
}

func report(w io.Writer, what string, err error) {
	if err != nil {
		fmt.Fprintf(w, "%s: refused: %v\n", what, err)
	} else {
		fmt.Fprintf(w, "%s: ok\n", what)
	}
}

func sealChild(addr string) {
	get(os.Stdout, addr)
	resp, err := (&http.Client{}).Get("http://" + addr + "/y")
	if err == nil {
		resp.Body.Close()
	}
	report(os.Stdout, "client", err)
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
	}
	report(os.Stdout, "dial", err)
	report(os.Stdout, "exec by path", exec.Command("/bin/sh", "-c", "exit 0").Run())
	report(os.Stdout, "exec by name", exec.Command("sh", "-c", "exit 0").Run())
	_, err = net.DefaultResolver.LookupHost(context.Background(), "hookgen-seal-test.example")
	report(os.Stdout, "lookup", err)
}
