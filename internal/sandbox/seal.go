package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
)

// Generation never reaches the network nor runs a program: the commands
// that read a repository run in a process that cannot. hookgen's own
// checks refuse remote bases, remote files and Helm charts with a message
// naming the file and line; this is what holds when a spelling slips past
// them:
//
//   - every HTTP client built on net/http's default transport (kustomize
//     builds one for a remote file) gets an error instead of a connection,
//     and the default resolver looks nothing up;
//   - PATH is emptied, so a program looked up by name (git, helm) is not
//     found;
//   - on Linux, a seccomp filter makes execve, execveat and every socket
//     but a Unix one fail with EPERM for every thread of the process.

// ErrOffline is what a refused connection or program reports.
var ErrOffline = errors.New("hookgen reaches no network and runs no program while it generates: vendor what is fetched into the repository")

// Seal makes the process unable to reach the network or run a program,
// for good, and bounds its heap (boundMemory). The front end calls it
// once, before a command that reads a repository runs.
func Seal() {
	boundMemory()
	http.DefaultTransport = refusingTransport{}
	http.DefaultClient = &http.Client{Transport: refusingTransport{}}
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: refuseDial}
	os.Setenv("PATH", "")
	denyExecAndNetwork() // best effort: the guards above hold without it
}

type refusingTransport struct{}

func (refusingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, fmt.Errorf("%w (refused %s %s)", ErrOffline, req.Method, req.URL.Redacted())
}

func refuseDial(context.Context, string, string) (net.Conn, error) { return nil, ErrOffline }
