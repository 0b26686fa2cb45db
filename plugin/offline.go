package plugin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
)

// Generation never reaches the network nor runs a program: the commands
// that read a repository (generate, render, validate, explain, krm,
// parameters, policy) run in a process that cannot. hookgen's own checks
// refuse remote bases, remote files and Helm charts with a message naming
// the file and line; this is what holds when a spelling slips past them:
//
//   - every HTTP client built on net/http's default transport (kustomize
//     builds one for a remote file) gets an error instead of a connection,
//     and the default resolver looks nothing up;
//   - PATH is emptied, so a program looked up by name (git, helm) is not
//     found;
//   - on Linux, a seccomp filter makes execve, execveat and every socket
//     but a Unix one fail with EPERM for every thread of the process.
//
// `hookgen run` (the hook actions) is the one command that talks to the
// network, and is left alone.

// offlineCommands are the commands that run sealed.
var offlineCommands = map[string]bool{
	"generate": true, "render": true, "validate": true, "explain": true,
	"krm": true, "parameters": true, "policy": true,
}

// errOffline is what a refused connection or program reports.
var errOffline = errors.New("hookgen reaches no network and runs no program while it generates: vendor what is fetched into the repository")

// Isolate seals the process before the command in args runs, when that
// command reads a repository, and bounds its heap (boundMemory). main calls it once, before Main; tests that
// call Main in-process do not, so their own process stays usable.
func Isolate(args []string) {
	name := ""
	if len(args) > 0 {
		name = args[0]
	} else if calledAsKRM() {
		name = "krm"
	}
	if !offlineCommands[name] {
		return
	}
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
	return nil, fmt.Errorf("%w (refused %s %s)", errOffline, req.Method, req.URL.Redacted())
}

func refuseDial(context.Context, string, string) (net.Conn, error) { return nil, errOffline }
