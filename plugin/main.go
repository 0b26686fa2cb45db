package plugin

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/hookgen/hookgen/runner"
)

// Exit codes of every hookgen command.
const (
	ExitOK       = 0 // success
	ExitProblems = 1 // the input (spec, templates, policy, manifests) has problems
	ExitUsage    = 2 // the command line is wrong
)

// Version information, stamped at build time with
// -ldflags "-X github.com/hookgen/hookgen/plugin.version=v1.2.3 -X ...commit=abc".
var (
	version = "dev"
	commit  = ""
)

// command is one subcommand of hookgen.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) int
}

// commands is the subcommand table; `hookgen help` lists it.
var commands = map[string]command{
	"generate":   {"print the application's manifests and its generated hook Jobs (Argo CD calls this)", runGenerate},
	"parameters": {"print the parameters Argo CD's UI offers for the hooks (Argo CD calls this)", runParameters},
	"run":        {"run a hook action inside a generated Job (slack, webhook, email, http-check, ...)", runRunner},
	"version":    {"print the version", runVersion},
}

// Main runs hookgen with the given arguments (without the program name) and
// environment ("KEY=value" entries, as os.Environ returns them) and returns
// the process exit code.
func Main(args []string, environ []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		// A bug must not look like success, nor print a Go stack into Argo CD's UI.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "hookgen: internal error: %v (please report this with the input that caused it)\n", r)
			code = ExitProblems
		}
	}()
	env := NewEnv(environ)
	if len(args) == 0 {
		usage(stderr)
		return ExitUsage
	}
	ctx := context.Background()
	if args[0] == "run" {
		// Only a hook action outlives a signal long enough to care: it
		// stops its retries. Watching signals costs every other command an
		// OS thread at start.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
		defer stop()
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return ExitOK
	case "--version", "-v":
		return runVersion(ctx, nil, env, stdout, stderr)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "hookgen: unknown command %q\n", args[0])
		usage(stderr)
		return ExitUsage
	}
	return cmd.run(ctx, args[1:], env, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: hookgen <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "hookgen <command> --help" for a command's flags.`)
}

func runVersion(_ context.Context, _ []string, _ Env, stdout, _ io.Writer) int {
	fmt.Fprintln(stdout, versionString())
	return ExitOK
}

func versionString() string {
	s := "hookgen " + version
	if commit != "" {
		s += " (" + commit + ")"
	}
	return s
}

func runRunner(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	return runner.Main(ctx, args, env.Environ(), stdout, stderr)
}

// Env is the process environment as a map, with the order-independent view
// hookgen needs: later entries win, as with exec.
type Env map[string]string

// NewEnv builds an Env from "KEY=value" entries.
func NewEnv(environ []string) Env {
	env := make(Env, len(environ))
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		env[k] = v
	}
	return env
}

// Environ returns the environment as sorted "KEY=value" entries.
func (e Env) Environ() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
