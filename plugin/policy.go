package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/internal/argocd"
	"github.com/hookgen/hookgen/transform"
)

const policyHelp = `Usage: hookgen policy check [flags]

Check a platform config directory (policy.yaml and templates/*.yaml)
before it reaches the sidecar, e.g. in the platform repository's CI:

  - the policy and every template parse and are well formed;
  - each platform template, given stand-ins for its required parameters,
    makes a Job that passes the policy's rules, except the ones a hook
    satisfies itself (required resources and TTL);
  - every hook the policy injects makes Jobs that pass all of them;
  - templates.allow names templates that exist, and allows every
    platform template.

hookgen reads only its own files there: policy.yaml, and the YAML files
at the top and in templates/ that are HookTemplates. Other files (the
kustomization that makes the ConfigMap, a README, a Kubernetes object)
are named on stderr as skipped; generate skips them without a word.

Every problem is printed on stderr as path:line:col: message; the exit
code is 1 when there are problems, 0 otherwise.

Examples:
  hookgen policy check --config-dir platform/hookgen
  HOOKGEN_CONFIG_DIR=/home/argocd/hookgen hookgen policy check

Flags:
`

type policyCmd struct {
	configDir string
}

func (c *policyCmd) flagSet() *pflag.FlagSet {
	fl := pflag.NewFlagSet("policy", pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.SortFlags = false
	fl.StringVar(&c.configDir, "config-dir", "", "platform config directory (default: $"+argocd.EnvConfigDir+" or "+argocd.DefaultConfigDir+")")
	fl.BoolP("help", "h", false, "show this help")
	return fl
}

func runPolicy(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	c := &policyCmd{}
	fl := c.flagSet()
	if code, ok := parseFlags("policy", policyHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	switch rest := fl.Args(); {
	case len(rest) == 0:
		return usageError(stderr, "policy", errors.New("say check"))
	case rest[0] != "check":
		return usageError(stderr, "policy", fmt.Errorf("unknown subcommand %q: say check", rest[0]))
	case len(rest) > 1:
		return usageError(stderr, "policy", fmt.Errorf("unexpected argument %q (the directory is --config-dir)", rest[1]))
	}
	cfg, dir, closeCfg, err := argocd.OpenConfig(c.configDir, env)
	if err != nil {
		fmt.Fprintf(stderr, "hookgen policy: %v\n", err)
		return ExitProblems
	}
	defer closeCfg()
	if cfg == nil {
		return usageError(stderr, "policy", fmt.Errorf("no config directory at %s: give one with --config-dir", argocd.DefaultConfigDir))
	}
	cwd, _ := os.Getwd()
	run := &localRun{cwd: cwd, cfgDir: dir}
	ctx := transform.Context{
		App: transform.App{
			Name: "app", Namespace: "app", Project: standInProject,
			Revision: standInRevision, RevisionShort: standInRevision[:argocd.ShortRevisionLen],
			TargetRevision: standInTargetRevision,
		},
		Env:         map[string]string{},
		RunnerImage: argocd.RunnerImage(env, buildTag()),
	}
	sum, err := transform.LintConfig(cfg, ctx)
	for _, n := range sum.Skipped {
		fmt.Fprintln(stderr, formatProblem(n, run.display))
	}
	if err != nil {
		return run.printProblems(stderr, err)
	}
	policy := "no policy.yaml (the open policy)"
	if sum.Policy != "" {
		policy = "policy " + run.display(sum.Policy)
	}
	fmt.Fprintf(stdout, "ok: %s: %s, %s%s, %s%s\n", relPath(cwd, dir), policy,
		plural(len(sum.Templates), "platform template"), list(sum.Templates),
		plural(len(sum.Injected), "injected hook"), list(sum.Injected))
	return ExitOK
}

func list(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}
