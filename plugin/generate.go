package plugin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

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
	help           bool
}

func (c *dirFlags) flagSet(name string) *pflag.FlagSet {
	fl := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.StringVar(&c.dir, "dir", "", "application directory (default: the working directory)")
	fl.StringVar(&c.configDir, "config-dir", "", "platform config directory (default: $"+envConfigDir+" or "+defaultConfigDir+")")
	fl.BoolVarP(&c.help, "help", "h", false, "show this help")
	return fl
}

func runGenerate(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	c := &dirFlags{}
	fl := c.flagSet("generate")
	if code, ok := parseFlags("generate", generateHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() > 0 {
		return usageError(stderr, "generate", fmt.Errorf("unexpected argument %q", fl.Arg(0)), fl)
	}
	in, closeAll, err := NewInput(c.dir, c.configDir, env.Environ())
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return ExitProblems
	}
	defer closeAll()
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

// NewInput gathers what `hookgen generate` reads into a transform.Input:
// the repository around dir (default: the working directory), the config
// directory (default: $HOOKGEN_CONFIG_DIR, else /home/argocd/hookgen when it
// exists), and Argo CD's environment, parameters included. The returned
// func releases the directories.
func NewInput(dir, configDir string, environ []string) (transform.Input, func(), error) {
	in, closeAll, err := buildInput(dir, configDir, NewEnv(environ))
	if err != nil {
		return in, nil, fmt.Errorf("hookgen: %w", err)
	}
	env := NewEnv(environ)
	in.Overrides, err = readOverrides(env, func() ([]transform.Announcement, error) { return transform.Announce(in) })
	if err != nil {
		closeAll()
		return in, nil, fmt.Errorf("%s: %w", transform.ParametersFile, err)
	}
	return in, closeAll, nil
}

// buildInput gathers a transform.Input from the working directory (or dir),
// the env and the config directory, without the Application's parameters.
func buildInput(dir, configDir string, env Env) (transform.Input, func(), error) {
	var in transform.Input
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return in, nil, fmt.Errorf("find the working directory: %w", err)
		}
		dir = wd
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return in, nil, fmt.Errorf("application directory %s: %w", dir, err)
	}
	root, appDir := splitRoot(abs, env[envAppSourcePath])
	repo, closeRepo, err := openRootFS(root)
	if err != nil {
		return in, nil, fmt.Errorf("open the repository at %s: %w", root, err)
	}
	closers := []func() error{closeRepo}
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	in.Repo, in.AppDir = repo, appDir
	if configDir == "" {
		configDir = env[envConfigDir]
	}
	explicit := configDir != ""
	if configDir == "" {
		configDir = defaultConfigDir
	}
	cfg, closeCfg, err := openRootFS(configDir)
	switch {
	case err == nil:
		in.Config = cfg
		closers = append(closers, closeCfg)
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		// No platform configuration: built-in templates only.
	default:
		closeAll()
		return in, nil, fmt.Errorf("open the config directory %s: %w", configDir, err)
	}
	in.Context = appContext(env)
	return in, closeAll, nil
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
	fmt.Fprintf(stderr, "hookgen: %v\n", err)
	return ExitProblems
}

// usageError reports a bad command line.
func usageError(stderr io.Writer, cmd string, err error, fl *pflag.FlagSet) int {
	fmt.Fprintf(stderr, "hookgen %s: %v\n", cmd, err)
	fmt.Fprintf(stderr, "Run \"hookgen %s --help\" for usage.\n", cmd)
	return ExitUsage
}
