package plugin

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"sort"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/internal/argocd"
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
	// flags returns the command's flags (for completion); nil when the
	// command parses its own.
	flags func() *pflag.FlagSet
	// words are what completion offers as arguments: subcommands, actions
	// or shells.
	words []string
	// dirArg says the command takes a directory argument.
	dirArg bool
}

// commands is the subcommand table: `hookgen help` lists it and
// `hookgen completion` completes from it. It is filled in init, because
// completion reads it.
var commands map[string]command

func init() {
	commands = map[string]command{
		"completion": {summary: "print a shell completion script: bash, zsh or fish", run: runCompletion, flags: helpOnly("completion"), words: shells},
		"explain":    {summary: "show an application's hooks as a sync timeline, with what a reviewer should know", run: runExplain, flags: func() *pflag.FlagSet { return (&explainCmd{}).flagSet() }, dirArg: true},
		"generate":   {summary: "print the application's manifests and its generated hook Jobs (Argo CD calls this)", run: runGenerate, flags: func() *pflag.FlagSet { return (&dirFlags{}).flagSet("generate") }},
		"help":       {summary: "show the help of hookgen or of a command", run: runHelp},
		"init":       {summary: "write a commented hookgen.yaml for the templates you name", run: runInit, flags: func() *pflag.FlagSet { return (&initCmd{}).flagSet() }},
		"krm":        {summary: "run as a kustomize function (KRM): a HookSet in, its Jobs added to the resources", run: runKRM, flags: helpOnly("krm")},
		"parameters": {summary: "print the parameters Argo CD's UI offers for the hooks (Argo CD calls this)", run: runParameters, flags: func() *pflag.FlagSet { fl, _ := parametersFlags(&dirFlags{}); return fl }},
		"policy":     {summary: "check a platform config directory: policy, templates and injected hooks", run: runPolicy, flags: func() *pflag.FlagSet { return (&policyCmd{}).flagSet() }, words: []string{"check"}},
		"render":     {summary: "preview what Argo CD would receive for an application, without Argo CD", run: runRender, flags: func() *pflag.FlagSet { return (&renderCmd{}).flagSet() }, dirArg: true},
		"run":        {summary: "run a hook action inside a generated Job (slack, webhook, email, http-check, ...)", run: runRunner, words: runnerActions},
		"templates":  {summary: "list the templates hooks can use, or show one with its parameters", run: runTemplates, flags: func() *pflag.FlagSet { return (&templatesCmd{}).flagSet() }, words: []string{"list", "show"}},
		"validate":   {summary: "check an application's hooks, templates, policy and manifests without Argo CD", run: runValidate, flags: func() *pflag.FlagSet { return (&validateCmd{}).flagSet() }, dirArg: true},
		"version":    {summary: "print the version, the commit and the Go version", run: runVersion, flags: helpOnly("version")},
	}
	help := commands["help"]
	help.words = commandNames()
	commands["help"] = help
}

// runnerActions are the actions of `hookgen run` (package runner); a test
// checks the list against its help.
var runnerActions = []string{"email", "http-check", "slack", "webhook"}

// helpOnly is the flag set of a command whose only flag is --help.
func helpOnly(name string) func() *pflag.FlagSet {
	return func() *pflag.FlagSet {
		fl := pflag.NewFlagSet(name, pflag.ContinueOnError)
		fl.SetOutput(io.Discard)
		fl.BoolP("help", "h", false, "show this help")
		return fl
	}
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
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
	growStack(false)
	env := NewEnv(environ)
	if len(args) == 0 && calledAsKRM() {
		// A KRM runner that gives no arguments: started as hookgen-krm.
		args = []string{"krm"}
	}
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
	case "-h", "--help":
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
	fmt.Fprintln(w, "hookgen turns the hooks declared in hookgen.yaml into hardened Argo CD hook")
	fmt.Fprintln(w, "Jobs. Argo CD runs \"hookgen generate\"; people run the rest.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, name := range commandNames() {
		fmt.Fprintf(w, "  %-10s  %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Start with:")
	fmt.Fprintln(w, "  hookgen init --with migration     # write a hookgen.yaml")
	fmt.Fprintln(w, "  hookgen validate                  # check it")
	fmt.Fprintln(w, "  hookgen explain                   # see when each hook runs")
	fmt.Fprintln(w, "  hookgen render                    # see what Argo CD receives")
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "hookgen help <command>" or "hookgen <command> --help" for a command's flags.`)
}

const helpHelp = `Usage: hookgen help [COMMAND]

Show hookgen's commands, or the help of one of them (the same as
"hookgen COMMAND --help").

Examples:
  hookgen help
  hookgen help render
`

func runHelp(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stdout)
		return ExitOK
	case len(args) > 1:
		fmt.Fprintf(stderr, "hookgen help: name one command\n")
		return ExitUsage
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		fmt.Fprint(stdout, helpHelp)
		return ExitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "hookgen help: unknown command %q\n", args[0])
		usage(stderr)
		return ExitUsage
	}
	return cmd.run(ctx, []string{"--help"}, env, stdout, stderr)
}

func runRunner(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	return runner.Main(ctx, args, env.Environ(), stdout, stderr)
}

// Env is the process environment as a map (argocd.Env): later entries
// win, as with exec.
type Env = argocd.Env

// NewEnv builds an Env from "KEY=value" entries.
func NewEnv(environ []string) Env { return argocd.NewEnv(environ) }

// parseFlags parses a command's flags and answers --help. ok=false means
// the command is done, with the exit code in code.
func parseFlags(name, help string, fl *pflag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if err := fl.Parse(args); err != nil {
		return usageError(stderr, name, err), false
	}
	if h, _ := fl.GetBool("help"); h {
		fmt.Fprint(stdout, help+fl.FlagUsages())
		return ExitOK, false
	}
	return 0, true
}
