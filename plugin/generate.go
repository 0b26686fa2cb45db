package plugin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/internal/argocd"
	"github.com/hookgen/hookgen/internal/inert"
	"github.com/hookgen/hookgen/internal/sandbox"
	"github.com/hookgen/hookgen/transform"
)

const generateHelp = `Usage: hookgen generate [flags]

Print the application's manifests and its generated hook Jobs as one YAML
stream. Argo CD runs it in the Application's source directory with its
build environment (ARGOCD_APP_*, ARGOCD_ENV_*); nothing is printed unless
everything succeeded. To preview it without Argo CD, use "hookgen render".

Examples:
  # what Argo CD's cmp-server runs, in the Application's source path
  hookgen generate
  ARGOCD_APP_NAME=api ARGOCD_APP_NAMESPACE=api hookgen generate --dir apps/api

Flags:
`

// dirFlags are the flags of the commands Argo CD calls.
type dirFlags struct {
	dir, configDir string
}

func (c *dirFlags) flagSet(name string) *pflag.FlagSet {
	fl := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.StringVar(&c.dir, "dir", "", "application directory (default: the working directory)")
	fl.StringVar(&c.configDir, "config-dir", "", "platform config directory (default: $"+argocd.EnvConfigDir+" or "+argocd.DefaultConfigDir+")")
	fl.BoolP("help", "h", false, "show this help")
	return fl
}

func runGenerate(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	c := &dirFlags{}
	fl := c.flagSet("generate")
	if code, ok := parseFlags("generate", generateHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() > 0 {
		return usageError(stderr, "generate", fmt.Errorf("unexpected argument %q", fl.Arg(0)))
	}
	in, _, closeAll, err := newInput(c.dir, c.configDir, env)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return ExitProblems
	}
	defer closeAll()
	defer sandbox.AcquireSlot(argocd.GenerateSlots(env))()
	res, err := transform.Run(in)
	if err != nil {
		return reportProblems(stderr, err)
	}
	w := bufio.NewWriterSize(stdout, 64<<10)
	if _, err := res.WriteTo(w); err != nil {
		fmt.Fprintf(stderr, "hookgen: write output: %v\n", err)
		return ExitProblems
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "hookgen: write output: %v\n", err)
		return ExitProblems
	}
	for _, n := range res.Notes {
		fmt.Fprintln(stderr, n.Error())
	}
	return ExitOK
}

// newInput gathers what `hookgen generate` reads into a transform.Input:
// the repository around dir (default: the working directory), the config
// directory, and Argo CD's environment, parameters included
// (argocd.BuildInput, argocd.ReadOverrides). The returned func releases the
// directories.
func newInput(dir, configDir string, env Env) (transform.Input, argocd.Dirs, func(), error) {
	in, dirs, closeAll, err := buildInput(dir, configDir, env)
	if err != nil {
		return in, dirs, nil, fmt.Errorf("hookgen: %w", err)
	}
	in.Overrides, err = argocd.ReadOverrides(env, func() ([]transform.Announcement, error) { return transform.Announce(in) })
	if err != nil {
		closeAll()
		return in, dirs, nil, fmt.Errorf("%s: %w", transform.ParametersFile, err)
	}
	return in, dirs, closeAll, nil
}

// buildInput is argocd.BuildInput for this build: the Input without the
// Application's parameters.
func buildInput(dir, configDir string, env Env) (transform.Input, argocd.Dirs, func(), error) {
	return argocd.BuildInput(argocd.Source{Dir: dir, ConfigDir: configDir, Version: buildTag()}, env)
}

// reportProblems prints every problem on its own line and returns the exit
// code for bad input.
func reportProblems(stderr io.Writer, err error) int {
	var ps transform.Problems
	if errors.As(err, &ps) {
		w := bufio.NewWriter(stderr)
		for _, p := range ps {
			fmt.Fprintln(w, p.Error())
		}
		w.Flush()
		return ExitProblems
	}
	fmt.Fprintf(stderr, "hookgen: %s\n", inert.Escape(err.Error()))
	return ExitProblems
}

// usageError reports a bad command line.
func usageError(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "hookgen %s: %v\n", cmd, err)
	fmt.Fprintf(stderr, "Run \"hookgen %s --help\" for usage.\n", cmd)
	return ExitUsage
}
