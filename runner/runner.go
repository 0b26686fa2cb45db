package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Exit codes of "hookgen run".
const (
	ExitOK     = 0 // the action succeeded, or failed in best-effort mode
	ExitFailed = 1 // the action failed in strict mode
	ExitUsage  = 2 // the command line, the configuration or a template is wrong
)

// action is one "hookgen run" action.
type action struct {
	summary string
	strict  bool        // strict by default
	policy  retryPolicy // default retry policy
	// newConfig registers the action's flags on fs and returns the value
	// that will prepare the action once the flags are parsed.
	newConfig func(fs *pflag.FlagSet) config
}

// config turns parsed flags into a runnable operation.
type config interface {
	// prepare checks the settings, reads secrets (registering them with
	// r.redactor), renders messages and returns the attempt function and a
	// description of the target for the log. Its errors are usage errors.
	prepare(r *run) (op attemptFunc, target string, err error)
}

// actions is the action table.
func actions() map[string]action {
	notify := retryPolicy{Attempts: 5, Timeout: 10 * time.Second, Deadline: 60 * time.Second, Backoff: time.Second, MaxBackoff: 10 * time.Second}
	mail := notify
	mail.Timeout = 15 * time.Second
	check := retryPolicy{Attempts: 10, Timeout: 5 * time.Second, Deadline: 60 * time.Second, Backoff: time.Second, MaxBackoff: 8 * time.Second}
	return map[string]action{
		"slack":      {"post a message to a Slack incoming webhook", false, notify, newSlackConfig},
		"webhook":    {"POST a JSON document to a URL, optionally HMAC-signed", false, notify, newWebhookConfig},
		"email":      {"send an email through an SMTP relay", false, mail, newEmailConfig},
		"http-check": {"check that a URL answers as expected (a smoke test)", true, check, newHTTPCheckConfig},
	}
}

// Main runs the action named by args[0] with the flags that follow, reading
// settings and secrets from environ ("KEY=value" entries) and mounted files,
// and returns the process exit code: ExitOK, ExitFailed or ExitUsage. Log
// lines go to stderr; stdout receives only --help output.
func Main(ctx context.Context, args []string, environ []string, stdout, stderr io.Writer) int {
	acts := actions()
	if len(args) == 0 {
		usage(stderr, acts)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout, acts)
		return ExitOK
	}
	act, ok := acts[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "hookgen run: unknown action %q\n", args[0])
		usage(stderr, acts)
		return ExitUsage
	}
	name := args[0]
	red := &redactor{}
	r := &run{
		env:      parseEnviron(environ),
		log:      &logger{w: stderr, prefix: "hookgen run " + name + ": ", red: red},
		redactor: red,
		now:      time.Now(),

		secretHeaders: map[string]bool{},
	}
	defer func() {
		for _, f := range r.cleanups {
			f()
		}
	}()

	fs := pflag.NewFlagSet("hookgen run "+name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	cfg := act.newConfig(fs)
	policy := act.policy
	policy.register(fs)
	bestEffort := fs.Bool("best-effort", !act.strict, "log a failure and exit 0, so the hook never fails the sync")
	strict := fs.Bool("strict", act.strict, "fail the hook (exit 1) when the action fails; same as --best-effort=false")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			actionUsage(stdout, name, act, fs)
			return ExitOK
		}
		r.log.printf("%s", err)
		fmt.Fprintf(stderr, "Run \"hookgen run %s --help\" for the flags.\n", name)
		return ExitUsage
	}
	if fs.NArg() > 0 {
		r.log.printf("unexpected arguments %q (every setting is a flag)", fs.Args())
		return ExitUsage
	}
	isStrict, err := strictness(fs, act.strict, *bestEffort, *strict)
	if err == nil {
		err = policy.check()
	}
	var (
		op     attemptFunc
		target string
	)
	if err == nil {
		op, target, err = cfg.prepare(r)
	}
	if err != nil {
		r.log.printf("%s", r.log.describe(err))
		return ExitUsage
	}

	mode := "best effort"
	if isStrict {
		mode = "strict"
	}
	r.log.printf("%s: up to %s, %s each, %s overall (%s)", target, plural(policy.Attempts, "attempt"), policy.Timeout, policy.Deadline, mode)
	start := time.Now()
	err = policy.run(ctx, r.log, op)
	if err == nil {
		return ExitOK
	}
	var f *failure
	attempts := 0
	if errors.As(err, &f) {
		attempts = f.attempts
	}
	summary := fmt.Sprintf("failed after %s in %s", plural(attempts, "attempt"), round(time.Since(start)))
	if isStrict {
		r.log.printf("%s; failing the hook", summary)
		return ExitFailed
	}
	r.log.printf("%s; best effort, so the hook succeeds anyway (--strict fails it)", summary)
	return ExitOK
}

// strictness resolves --best-effort and --strict; contradicting values are
// a usage error.
func strictness(fs *pflag.FlagSet, def, bestEffort, strict bool) (bool, error) {
	be, st := fs.Changed("best-effort"), fs.Changed("strict")
	switch {
	case be && st && bestEffort == strict:
		return false, usageErrorf("--best-effort=%t contradicts --strict=%t", bestEffort, strict)
	case st:
		return strict, nil
	case be:
		return !bestEffort, nil
	}
	return def, nil
}

func usage(w io.Writer, acts map[string]action) {
	fmt.Fprintln(w, "Usage: hookgen run <action> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Actions:")
	names := make([]string, 0, len(acts))
	for n := range acts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, acts[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "hookgen run <action> --help" for an action's flags.`)
}

func actionUsage(w io.Writer, name string, act action, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "Usage: hookgen run %s [flags]\n\n%s.\n\nFlags:\n%s", name, capitalize(act.summary), fs.FlagUsages())
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
