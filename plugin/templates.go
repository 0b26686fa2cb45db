package plugin

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/internal/argocd"
	"github.com/hookgen/hookgen/transform"
)

const templatesHelp = `Usage: hookgen templates list [flags]
       hookgen templates show NAME [flags]

List the templates hooks can use, or show one in full: where it comes from
(built-in, the platform's config directory, or this repository's
.hookgen/templates), its version, description and phases, its parameters
with their type, whether they are required, their defaults and
descriptions, and whether the platform's policy lets hooks use it. "show"
also lists the fields every hook takes whatever its template (phase, wave,
resources, imagePullSecrets, initContainers, writablePaths, hardening,
...), and prints the template's Job and a hook entry to start from.

Examples:
  hookgen templates list
  hookgen templates list --config-dir ../platform/hookgen
  hookgen templates show migration
  hookgen templates show db-migrate --output json

Flags:
`

type templatesCmd struct {
	configDir string
	output    string
}

func (c *templatesCmd) flagSet() *pflag.FlagSet {
	fl := pflag.NewFlagSet("templates", pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.SortFlags = false
	fl.StringVar(&c.configDir, "config-dir", "", "platform config directory (default: $"+argocd.EnvConfigDir+" or "+argocd.DefaultConfigDir+")")
	fl.StringVarP(&c.output, "output", "o", "text", "output format: text or json")
	fl.BoolP("help", "h", false, "show this help")
	return fl
}

func runTemplates(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	c := &templatesCmd{}
	fl := c.flagSet()
	if code, ok := parseFlags("templates", templatesHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if c.output != "text" && c.output != "json" {
		return usageError(stderr, "templates", fmt.Errorf("--output %q: want text or json", c.output))
	}
	rest := fl.Args()
	if len(rest) == 0 {
		return usageError(stderr, "templates", fmt.Errorf("say list or show NAME"))
	}
	switch sub := rest[0]; {
	case sub == "list" && len(rest) == 1:
	case sub == "show" && len(rest) == 2:
	case sub == "show":
		return usageError(stderr, "templates", fmt.Errorf("show takes one template name"))
	case sub == "list":
		return usageError(stderr, "templates", fmt.Errorf("list takes no argument, got %q", rest[1]))
	default:
		return usageError(stderr, "templates", fmt.Errorf("unknown subcommand %q: say list or show NAME", sub))
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "hookgen templates: %v\n", err)
		return ExitProblems
	}
	ts, policy, run, closeAll, err := catalogAndPolicy(cwd, c.configDir, env)
	if err != nil {
		return reportCatalogErr(stderr, "templates", err)
	}
	defer closeAll()
	if rest[0] == "list" {
		var infos []templateInfo
		for _, name := range ts.Names() {
			infos = append(infos, describeTemplate(ts[name], policy, run, false))
		}
		if c.output == "json" {
			return writeJSON(stdout, stderr, infos, ExitOK)
		}
		w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "NAME\tORIGIN\tVERSION\tPHASES\tALLOWED\tDESCRIPTION")
		for _, t := range infos {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Origin, cmp.Or(t.Version, "-"), cmp.Or(strings.Join(t.Phases, ","), "any"), yesNo(t.Allowed), clipWords(ts[t.Name].Summary(), 64))
		}
		w.Flush()
		if policy.Open() {
			fmt.Fprintln(stdout, "\nNo platform policy: hooks may use every template.")
		}
		return ExitOK
	}
	t := ts[rest[1]]
	if t == nil {
		fmt.Fprintf(stderr, "hookgen templates: no template %q%s\n", rest[1], transform.Suggest(rest[1], ts.Names()))
		return ExitProblems
	}
	info := describeTemplate(t, policy, run, true)
	if c.output == "json" {
		return writeJSON(stdout, stderr, info, ExitOK)
	}
	io.WriteString(stdout, showTemplate(t, info))
	return ExitOK
}

// templateInfo is a template as templates list and show describe it.
type templateInfo struct {
	Name        string      `json:"name"`
	Origin      string      `json:"origin"`
	File        string      `json:"file"`
	Version     string      `json:"version,omitempty"`
	Description string      `json:"description,omitempty"`
	Phases      []string    `json:"phases"`
	Defaults    any         `json:"defaults,omitempty"`
	Params      []paramInfo `json:"params"`
	Allowed     bool        `json:"allowed"`
	Policy      string      `json:"policy"`
	Job         string      `json:"job,omitempty"`
	// HookFields are the fields every hook takes besides with (show only).
	HookFields []string `json:"hookFields,omitempty"`
}

type paramInfo struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Required    bool   `json:"required"`
	Default     string `json:"default,omitempty"`
	Description string `json:"description,omitempty"`
}

func describeTemplate(t *transform.HookTemplate, policy *transform.HookPolicy, run *localRun, full bool) templateInfo {
	info := templateInfo{
		Name:        t.Metadata.Name,
		Origin:      t.Origin(),
		File:        run.display(t.File()),
		Version:     t.Spec.Version,
		Description: strings.Join(strings.Fields(t.Spec.Description), " "),
		Phases:      append([]string{}, t.Spec.Phases...),
		Params:      []paramInfo{},
		Allowed:     policy.AllowsTemplate(t),
	}
	if d := t.Spec.Defaults; d != nil {
		info.Defaults = d
	}
	for _, p := range t.Spec.Params {
		typ := string(p.Type)
		if typ == "" {
			typ = string(transform.ParamString)
		}
		info.Params = append(info.Params, paramInfo{Name: p.Name, Type: typ, Required: p.Required, Default: p.DefaultText(), Description: strings.Join(strings.Fields(p.Description), " ")})
	}
	switch {
	case policy.Open():
		info.Policy = "no platform policy: every template is allowed"
	case info.Allowed:
		info.Policy = "allowed by " + run.display(policy.File())
	case t.Origin() == transform.OriginRepo:
		info.Policy = "not allowed: " + run.display(policy.File()) + " does not let repositories bring templates (templates.allowRepository)"
	default:
		info.Policy = "not allowed: not in templates.allow of " + run.display(policy.File())
	}
	if full {
		info.Job = t.JobYAML()
		for _, f := range transform.HookFields {
			info.HookFields = append(info.HookFields, f.Name)
		}
	}
	return info
}

// showTemplate writes one template for a person.
func showTemplate(t *transform.HookTemplate, info templateInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s template, %s\n", info.Name, info.Origin, info.File)
	if info.Description != "" {
		b.WriteString(wrap("  ", "  ", info.Description, 78))
	}
	b.WriteString("\n")
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "Version:\t%s\n", cmp.Or(info.Version, "-"))
	fmt.Fprintf(w, "Phases:\t%s\n", cmp.Or(strings.Join(info.Phases, ", "), "any"))
	if d := t.Spec.Defaults; d != nil {
		fmt.Fprintf(w, "Defaults:\t%s\n", cmp.Or(templateDefaults(d), "-"))
	}
	fmt.Fprintf(w, "Policy:\t%s\n", info.Policy)
	w.Flush()
	if len(info.Params) > 0 {
		b.WriteString("\nParameters:\n")
		w = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "  NAME\tTYPE\tREQUIRED\tDEFAULT\tDESCRIPTION")
		for _, p := range info.Params {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", p.Name, p.Type, yesNo(p.Required), cmp.Or(p.Default, "-"), cmp.Or(p.Description, "-"))
		}
		w.Flush()
	} else {
		b.WriteString("\nParameters: none\n")
	}
	b.WriteString("\nHook fields (every hook takes them, whatever its template):\n")
	w = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, f := range transform.HookFields {
		fmt.Fprintf(w, "  %s\t%s\n", f.Name, f.Text)
	}
	w.Flush()
	b.WriteString("\nJob (placeholders are filled in per hook):\n")
	for _, l := range strings.Split(strings.TrimSuffix(info.Job, "\n"), "\n") {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("\nIn hookgen.yaml:\nhooks:\n")
	b.WriteString(transform.ScaffoldHook(t, t.Metadata.Name, "  "))
	return b.String()
}

// templateDefaults lists what a template sets for its hooks.
func templateDefaults(d *transform.TemplateDefaults) string {
	var s []string
	if len(d.Phase) > 0 {
		s = append(s, "phase "+strings.Join(d.Phase, ","))
	}
	if d.Wave != nil {
		s = append(s, "wave "+strconv.Itoa(int(*d.Wave)))
	}
	if len(d.DeletePolicy) > 0 {
		s = append(s, "deletePolicy "+strings.Join(d.DeletePolicy, ","))
	}
	if d.GenerateName != nil {
		s = append(s, "generateName "+strconv.FormatBool(*d.GenerateName))
	}
	if d.ActiveDeadlineSeconds != nil {
		s = append(s, "activeDeadlineSeconds "+strconv.FormatInt(*d.ActiveDeadlineSeconds, 10))
	}
	if d.BackoffLimit != nil {
		s = append(s, "backoffLimit "+strconv.Itoa(int(*d.BackoffLimit)))
	}
	if d.TTLSecondsAfterFinished != nil {
		s = append(s, "ttlSecondsAfterFinished "+strconv.Itoa(int(*d.TTLSecondsAfterFinished)))
	}
	return strings.Join(s, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// clipWords shortens text to at most n characters at a word boundary.
func clipWords(text string, n int) string {
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndex(text[:n-3], " ")
	if cut <= 0 {
		cut = n - 3
	}
	return strings.TrimRight(text[:cut], " ,;:") + "..."
}
