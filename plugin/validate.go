package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/internal/inert"
	"github.com/hookgen/hookgen/transform"
)

const validateHelp = `Usage: hookgen validate [flags] [DIR]

Check the application in DIR (default: the working directory) the way
"hookgen generate" does when Argo CD calls it: every hookgen.yaml from the
repository root down to DIR, the templates, the platform policy, the
Application's parameters and the application's own manifests. Nothing is
printed but the verdict, and a note when hooks run as hookgen's default
user and group (65532) because neither they nor their template name one.

Argo CD's environment is not needed: the Application's name defaults to
DIR's name, its namespace to that name, the revision to forty zeros. Set
them with the flags when a hook depends on them.

Every problem is printed on stderr as
  path:line:col: hook "name": message
with paths relative to the working directory. The exit code is 0 when the
application is fine (a one-line summary on stdout), 1 when it has
problems, 2 when the command line is wrong.

Examples:
  hookgen validate apps/api
  hookgen validate --env TEAM=payments --param disable=smoke apps/api
  hookgen validate --config-dir ../platform/hookgen --output json apps/api

Flags:
`

type validateCmd struct {
	local  localFlags
	output string
}

func (c *validateCmd) flagSet() *pflag.FlagSet {
	fl := pflag.NewFlagSet("validate", pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.SortFlags = false
	c.local.add(fl)
	fl.StringVarP(&c.output, "output", "o", "text", "output format: text or json (json goes to stdout, problems included)")
	fl.BoolP("help", "h", false, "show this help")
	return fl
}

func runValidate(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	c := &validateCmd{}
	fl := c.flagSet()
	if code, ok := parseFlags("validate", validateHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if c.output != "text" && c.output != "json" {
		return usageError(stderr, "validate", fmt.Errorf("--output %q: want text or json", c.output))
	}
	var report func(error) int
	if c.output == "json" {
		report = func(err error) int {
			return writeJSON(stdout, stderr, validateReport{Problems: []jsonProblem{{Message: err.Error()}}}, ExitProblems)
		}
	}
	run, code, ok := c.local.open("validate", fl.Args(), env, stderr, report)
	if !ok {
		return code
	}
	defer run.close()
	res, err := transform.Run(run.in)
	rep := validateReport{OK: err == nil, Dir: relPath(run.cwd, joinRoot(run.root, run.appDir))}
	if err != nil {
		rep.Problems = run.jsonProblems(err)
		if c.output == "json" {
			return writeJSON(stdout, stderr, rep, ExitProblems)
		}
		return run.printProblems(stderr, err)
	}
	hooks := map[string]bool{}
	for _, j := range res.Jobs {
		hooks[j.Hook] = true
		jj := jsonJob{Name: j.Name, Hook: j.Hook, Phase: string(j.Phase), Wave: j.Wave, Template: j.Template, GenerateName: j.Generate, Namespace: j.Namespace}
		for _, p := range j.DeletePolicy {
			jj.DeletePolicy = append(jj.DeletePolicy, string(p))
		}
		rep.Jobs = append(rep.Jobs, jj)
	}
	rep.Hooks, rep.Manifests = len(hooks), len(res.Manifests)
	if c.output == "json" {
		if rep.Jobs == nil {
			rep.Jobs = []jsonJob{}
		}
		rep.Problems = []jsonProblem{}
		return writeJSON(stdout, stderr, rep, ExitOK)
	}
	where := ""
	if rep.Dir != "." {
		where = rep.Dir + ": "
	}
	fmt.Fprintf(stdout, "ok: %s%s, %s%s, %s\n", where, plural(rep.Hooks, "hook"), plural(len(res.Jobs), "Job"), phaseCounts(res.Jobs), plural(rep.Manifests, "manifest"))
	io.WriteString(stdout, userNote(res.Jobs))
	return ExitOK
}

// userNote tells who the hooks run as when hookgen chose it, and how to
// give an app a writable directory; "" when every hook names its user.
func userNote(jobs []*transform.Job) string {
	var names []string
	for _, j := range jobs {
		if j.DefaultUser && !slices.Contains(names, j.Hook) {
			names = append(names, j.Hook)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("note: %s %s as user %d, group %d, whatever the image's USER (set hardening.runAsUser and runAsGroup to choose others); the root filesystem is read-only but /tmp: list other directories the app writes in writablePaths\n",
		plural(len(names), "hook"), map[bool]string{true: "runs", false: "run"}[len(names) == 1], transform.DefaultRunAsUser, transform.DefaultRunAsGroup)
}

// validateReport is validate's JSON output.
type validateReport struct {
	OK        bool          `json:"ok"`
	Dir       string        `json:"dir,omitempty"`
	Problems  []jsonProblem `json:"problems"`
	Hooks     int           `json:"hooks"`
	Jobs      []jsonJob     `json:"jobs,omitempty"`
	Manifests int           `json:"manifests"`
}

type jsonProblem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Hook    string `json:"hook,omitempty"`
	Message string `json:"message"`
}

type jsonJob struct {
	Name         string `json:"name"`
	Hook         string `json:"hook"`
	Phase        string `json:"phase"`
	Wave         int32  `json:"wave"`
	Template     string `json:"template,omitempty"`
	GenerateName bool   `json:"generateName,omitempty"`
	Namespace    string `json:"namespace,omitempty"`
	// DeletePolicy is what the hook-delete-policy annotation says.
	DeletePolicy []string `json:"deletePolicy"`
}

func writeJSON(stdout, stderr io.Writer, v any, code int) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "hookgen: %v\n", err)
		return ExitProblems
	}
	stdout.Write(append(b, '\n'))
	return code
}

// problemsOf returns err's problems, or one problem holding its text.
func problemsOf(err error) transform.Problems {
	var ps transform.Problems
	if errors.As(err, &ps) {
		return ps
	}
	return transform.Problems{{Msg: err.Error()}}
}

func (r *localRun) jsonProblems(err error) []jsonProblem {
	var out []jsonProblem
	for _, p := range problemsOf(err) {
		out = append(out, jsonProblem{File: r.display(p.Pos.File), Line: p.Pos.Line, Column: p.Pos.Col, Hook: p.Hook, Message: p.Msg})
	}
	return out
}

// printProblems prints every problem on its own line, as
// path:line[:col]: hook "x": message, and returns the exit code for them.
func (r *localRun) printProblems(w io.Writer, err error) int {
	var b strings.Builder
	for _, p := range problemsOf(err) {
		b.WriteString(formatProblem(p, r.display))
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
	return ExitProblems
}

// formatProblem writes a problem as path:line:col: hook "x": message (the
// column only when known).
func formatProblem(p transform.Problem, display func(string) string) string {
	var b strings.Builder
	if f := inert.Escape(display(p.Pos.File)); f != "" {
		b.WriteString(f)
		if p.Pos.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Pos.Line))
			if p.Pos.Col > 0 {
				b.WriteString(":" + strconv.Itoa(p.Pos.Col))
			}
		}
		b.WriteString(": ")
	}
	if p.Hook != "" {
		fmt.Fprintf(&b, "hook %q: ", p.Hook)
	}
	b.WriteString(inert.Escape(p.Msg))
	return b.String()
}

// phaseCounts is " (PreSync 1, PostSync 2)" for a list of Jobs.
func phaseCounts(jobs []*transform.Job) string {
	if len(jobs) == 0 {
		return ""
	}
	counts := map[transform.Phase]int{}
	for _, j := range jobs {
		counts[j.Phase]++
	}
	var parts []string
	for _, p := range transform.Phases {
		if n := counts[p]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", p, n))
		}
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
