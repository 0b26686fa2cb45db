package plugin

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/sandbox"
)

// TestIsolate checks which commands Isolate seals: every command that
// reads a repository, and not `hookgen run`, the one that talks to the
// network. (sandbox's TestSeal checks what sealing refuses.) The sealing
// is permanent, so each command runs in a child process.
func TestIsolate(t *testing.T) {
	if addr := os.Getenv("HOOKGEN_ISOLATE_CHILD"); addr != "" {
		Isolate([]string{os.Getenv("HOOKGEN_ISOLATE_CMD")})
		resp, err := http.Get("http://" + addr + "/x")
		if err != nil {
			fmt.Printf("http.Get: refused: %v\n", err)
			return
		}
		resp.Body.Close()
		fmt.Println("http.Get: ok")
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	child := func(cmdName string) string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestIsolate$")
		cmd.Env = append(os.Environ(), "HOOKGEN_ISOLATE_CHILD="+ln.Addr().String(), "HOOKGEN_ISOLATE_CMD="+cmdName)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child for %s: %v\n%s", cmdName, err, out)
		}
		return string(out)
	}
	for _, cmdName := range []string{"generate", "render", "validate", "explain", "krm", "parameters", "policy"} {
		if out := child(cmdName); !strings.Contains(out, "http.Get: refused") || !strings.Contains(out, sandbox.ErrOffline.Error()) {
			t.Errorf("%s was not sealed:\n%s", cmdName, out)
		}
	}
	if out := child("run"); !strings.Contains(out, "http.Get: ok") {
		t.Errorf("hookgen run was sealed too:\n%s", out)
	}
}
