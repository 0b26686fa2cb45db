package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/internal/argocd"
	"github.com/hookgen/hookgen/internal/sandbox"
	"github.com/hookgen/hookgen/transform"
)

const initHelp = `Usage: hookgen init --with TEMPLATE[,TEMPLATE...] [flags]

Write a commented hookgen.yaml that declares one hook per template named
with --with, into the application's directory (--dir, default: the
working directory; created when missing). Each hook is named after its
template. What only you can decide is left empty and marked "required":
the template's required parameters, and the phase of a template without a
default one. Optional parameters are listed as comments with their
defaults.

The templates are the built-in ones, the platform's (--config-dir) and
the repository's (.hookgen/templates); "hookgen templates list" shows
them. An existing hookgen.yaml is never overwritten.

Examples:
  hookgen init --with migration
  hookgen init --dir apps/api --with migration,job
  hookgen init --config-dir ../platform/hookgen --with db-migrate,smoke

Flags:
`

type initCmd struct {
	with      []string
	dir       string
	configDir string
}

func (c *initCmd) flagSet() *pflag.FlagSet {
	fl := pflag.NewFlagSet("init", pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.SortFlags = false
	fl.StringSliceVar(&c.with, "with", nil, "templates to declare hooks for, comma-separated or repeated")
	fl.StringVar(&c.dir, "dir", "", "application directory (default: the working directory)")
	fl.StringVar(&c.configDir, "config-dir", "", "platform config directory (default: $"+argocd.EnvConfigDir+" or "+argocd.DefaultConfigDir+")")
	fl.BoolP("help", "h", false, "show this help")
	return fl
}

func runInit(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	c := &initCmd{}
	fl := c.flagSet()
	if code, ok := parseFlags("init", initHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() > 0 {
		return usageError(stderr, "init", fmt.Errorf("unexpected argument %q (the directory is --dir)", fl.Arg(0)))
	}
	dir := c.dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintf(stderr, "hookgen init: %v\n", err)
		return ExitProblems
	}
	file := filepath.Join(dir, transform.SpecFile)
	if _, err := os.Lstat(file); err == nil {
		fmt.Fprintf(stderr, "hookgen init: %s already exists; not overwriting it (edit it, or remove it first)\n", filepath.ToSlash(file))
		return ExitProblems
	}
	ts, policy, _, closeAll, err := catalogAndPolicy(existingParent(abs), c.configDir, env)
	if err != nil {
		return reportCatalogErr(stderr, "init", err)
	}
	defer closeAll()
	var names []string
	for _, n := range c.with {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return usageError(stderr, "init", fmt.Errorf("name the templates to use with --with, e.g. --with %s (templates: %s)", exampleTemplates(ts), strings.Join(ts.Names(), ", ")))
	}
	data, err := transform.Scaffold(ts, policy, names)
	if err != nil {
		return usageError(stderr, "init", fmt.Errorf("--with: %v", err))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "hookgen init: %v\n", err)
		return ExitProblems
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		fmt.Fprintf(stderr, "hookgen init: %s already exists; not overwriting it (edit it, or remove it first)\n", filepath.ToSlash(file))
		return ExitProblems
	}
	if err != nil {
		fmt.Fprintf(stderr, "hookgen init: %v\n", err)
		return ExitProblems
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(file)
		fmt.Fprintf(stderr, "hookgen init: write %s: %v\n", file, werr)
		return ExitProblems
	}
	validate := "hookgen validate"
	if c.dir != "" {
		validate += " " + c.dir
	}
	fmt.Fprintf(stdout, "Wrote %s with %s: %s.\nFill in the values marked \"required\", then run\n  %s\n", filepath.ToSlash(file), plural(len(names), "hook"), strings.Join(names, ", "), validate)
	return ExitOK
}

// existingParent returns dir, or its nearest parent that exists.
func existingParent(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d
		}
		if filepath.Dir(d) == d {
			return d
		}
	}
}

func exampleTemplates(ts transform.Templates) string {
	var names []string
	for _, n := range []string{"migration", "http-check", "slack"} {
		if ts[n] != nil && len(names) < 2 {
			names = append(names, n)
		}
	}
	for _, n := range ts.Names() {
		if len(names) < 2 && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

// catalogAndPolicy loads the templates a hook in dir can use (built-in,
// platform and the templates of dir's repository) and the policy.
func catalogAndPolicy(dir, configDir string, env Env) (transform.Templates, *transform.HookPolicy, *localRun, func(), error) {
	cfg, cfgDir, closeCfg, err := argocd.OpenConfig(configDir, env)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	in := transform.Input{Config: cfg}
	root := findRepoRoot(dir)
	repo, closeRepo, err := sandbox.Open(root)
	if err != nil {
		closeCfg()
		return nil, nil, nil, nil, fmt.Errorf("open the repository at %s: %w", root, err)
	}
	in.Repo = repo
	closeAll := func() { closeRepo(); closeCfg() }
	cwd, _ := os.Getwd()
	lr := &localRun{root: root, cwd: cwd, cfgDir: cfgDir}
	ts, policy, err := transform.Catalog(in)
	if err != nil {
		closeAll()
		return nil, nil, lr, nil, err
	}
	return ts, policy, lr, closeAll, nil
}

// reportCatalogErr prints a broken catalog's problems, or an error.
func reportCatalogErr(stderr io.Writer, cmd string, err error) int {
	var ps transform.Problems
	if errors.As(err, &ps) {
		fmt.Fprintf(stderr, "hookgen %s: the templates or the policy have problems:\n", cmd)
		for _, p := range ps {
			fmt.Fprintln(stderr, "  "+p.Error())
		}
		return ExitProblems
	}
	fmt.Fprintf(stderr, "hookgen %s: %v\n", cmd, err)
	return ExitProblems
}
