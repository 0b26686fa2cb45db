package plugin

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/transform"
)

const explainHelp = `Usage: hookgen explain [flags] [DIR]

Show the application's hooks as a timeline, in the order Argo CD runs
them: on every sync PreSync, then Sync (the application's own resources),
then PostSync; SyncFail when a sync fails; PreDelete, the deletion of the
resources, then PostDelete when the Application is deleted. Inside each
phase the waves, lowest first, and for each Job its template, namespace,
deadline, retries, delete policy and TTL. Then what a reviewer should
know: hooks skipped on self-heal, Argo CD versions the deletion hooks
need, Jobs that pile up, and more.

It runs the application the way "hookgen render" does (same flags, same
stand-ins) and reports its problems instead when it has some.

Every object of the output counts as Argo CD reads it: Helm's hook
annotations (pre-install and pre-upgrade as PreSync, post-install and
post-upgrade as PostSync, helm.sh/hook-weight as the wave) as much as
Argo CD's, which win over them.

--format mermaid prints Markdown for a pull request: a Mermaid flowchart
and the notes as a list. --format json prints the timeline and every
object of the output with its phases and wave, for tools; problems still
go to stderr as text.

Examples:
  hookgen explain apps/api
  hookgen explain --param disable=smoke apps/api
  hookgen explain --format mermaid apps/api >> pr-description.md
  hookgen explain --format json apps/api | jq '.objects[] | select(.hook)'

Flags:
`

type explainCmd struct {
	local  localFlags
	format string
}

func (c *explainCmd) flagSet() *pflag.FlagSet {
	fl := pflag.NewFlagSet("explain", pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.SortFlags = false
	c.local.add(fl)
	fl.StringVar(&c.format, "format", "text", "output format: text, mermaid (Markdown with a Mermaid flowchart) or json")
	fl.BoolP("help", "h", false, "show this help")
	return fl
}

func runExplain(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	c := &explainCmd{}
	fl := c.flagSet()
	if code, ok := parseFlags("explain", explainHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if c.format != "text" && c.format != "mermaid" && c.format != "json" {
		return usageError(stderr, "explain", fmt.Errorf("--format %q: want text, mermaid or json", c.format))
	}
	run, code, ok := c.local.open("explain", fl.Args(), env, stderr, nil)
	if !ok {
		return code
	}
	defer run.close()
	res, err := transform.Run(run.in)
	if err != nil {
		return run.printProblems(stderr, err)
	}
	t := transform.Explain(res)
	title := "Application " + run.appName
	if dir := relPath(run.cwd, joinRoot(run.root, run.appDir)); dir != "." {
		title += " in " + dir
	}
	var out string
	switch c.format {
	case "json":
		return writeJSON(stdout, stderr, explainJSON(t, run.appName), ExitOK)
	case "mermaid":
		out = explainMermaid(t, title)
	default:
		out = explainText(t, title)
	}
	io.WriteString(stdout, out)
	return ExitOK
}

// jobSummary says in a few words how a Job runs: its template, namespace,
// deadline, retries, delete policy and TTL.
func jobSummary(j *transform.Job) []string {
	var s []string
	if j.Template != "" {
		s = append(s, "template "+j.Template)
	} else {
		s = append(s, "raw job")
	}
	if j.Namespace != "" {
		s = append(s, "in "+j.Namespace)
	}
	s = append(s, "deadline "+duration(j.ActiveDeadlineSeconds))
	switch j.BackoffLimit {
	case 0:
		s = append(s, "no retry")
	case 1:
		s = append(s, "1 retry")
	default:
		s = append(s, strconv.Itoa(int(j.BackoffLimit))+" retries")
	}
	var policy []string
	for _, p := range j.DeletePolicy {
		policy = append(policy, string(p))
	}
	s = append(s, "delete "+strings.Join(policy, ","))
	if ttl := j.TTLSecondsAfterFinished; ttl != nil {
		s = append(s, "ttl "+duration(int64(*ttl)))
	}
	return s
}

// jobName is the Job's name, or its generateName prefix with a star.
func jobName(j *transform.Job) string {
	if j.Generate {
		return j.Name + "*"
	}
	return j.Name
}

// duration writes seconds the short way: 90s, 2m, 1h30m, 1d.
func duration(sec int64) string {
	if sec <= 0 {
		return strconv.FormatInt(sec, 10) + "s"
	}
	var b strings.Builder
	for _, u := range []struct {
		n    int64
		unit string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if sec >= u.n {
			b.WriteString(strconv.FormatInt(sec/u.n, 10) + u.unit)
			sec %= u.n
		}
	}
	return b.String()
}

// resourceNames lists objects as Kind/name (Kind/prefix* for a
// generateName), at most max of them.
func resourceNames(os []*transform.Object, max int) string {
	var names []string
	for i, o := range os {
		if i == max {
			names = append(names, fmt.Sprintf("and %d more", len(os)-max))
			break
		}
		names = append(names, o.Label())
	}
	return strings.Join(names, ", ")
}

var phaseWhen = map[transform.Phase]string{
	transform.PreSync:    "before anything is applied",
	transform.Sync:       "the application's own resources",
	transform.PostSync:   "once every Sync wave is applied and healthy",
	transform.SyncFail:   "when any step of the sync fails",
	transform.PreDelete:  "before any resource is deleted",
	transform.PostDelete: "once every resource is gone",
}

// explainText writes the timeline for a terminal.
func explainText(t *transform.Timeline, title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hooks of %s\n", title)
	// Align the Job names across the whole timeline.
	width := 0
	for _, j := range allJobs(t) {
		width = max(width, len(jobName(j)))
	}
	stage := func(num string, s transform.Stage, extra string) {
		fmt.Fprintf(&b, "  %s%s", num, s.Phase)
		when := phaseWhen[s.Phase]
		if extra != "" {
			when = extra
		}
		fmt.Fprintf(&b, ": %s\n", when)
		if s.Empty() {
			if s.Phase == transform.Sync {
				b.WriteString("      (the resources of the Application's other sources)\n")
			} else {
				b.WriteString("      no hooks\n")
			}
			return
		}
		for _, w := range s.Waves {
			label := fmt.Sprintf("wave %d", w.Wave)
			for i, j := range w.Jobs {
				if i > 0 {
					label = ""
				}
				fmt.Fprintf(&b, "      %-8s  %-*s  %s\n", label, width, jobName(j), strings.Join(jobSummary(j), ", "))
			}
			if len(w.Resources) > 0 {
				if len(w.Jobs) > 0 {
					label = ""
				}
				what := plural(len(w.Resources), "resource")
				if s.Phase != transform.Sync {
					what = plural(len(w.Resources), "hook") + " from the manifests"
				}
				fmt.Fprintf(&b, "      %-8s  %s: %s\n", label, what, resourceNames(w.Resources, 6))
			}
		}
	}
	b.WriteString("\nOn every sync\n")
	for i, s := range t.Sync {
		stage(strconv.Itoa(i+1)+". ", s, "")
	}
	b.WriteString("\nWhen a sync fails\n")
	stage("", t.Fail, "")
	b.WriteString("\nWhen the Application is deleted\n")
	stage("1. ", t.Delete[0], "")
	b.WriteString("  2. Argo CD deletes the application's resources\n")
	stage("3. ", t.Delete[2], "")
	if len(t.Notes) > 0 {
		b.WriteString("\nNotes\n")
		for _, n := range t.Notes {
			b.WriteString(wrap("  - ", "    ", noteText(n), 78))
		}
	}
	if hasGenerate(t) {
		b.WriteString("\n* generateName: Argo CD adds the revision, the phase and a timestamp.\n")
	}
	return b.String()
}

func noteText(n transform.Note) string {
	names := noteNames(n)
	if len(names) == 0 {
		return n.Text
	}
	return n.Text + " (" + strings.Join(names, ", ") + ")"
}

// noteNames names what a note is about: its Jobs, then the objects.
func noteNames(n transform.Note) []string {
	names := jobNames(n.Jobs)
	for _, o := range n.Objects {
		names = append(names, o.Label())
	}
	return names
}

func jobNames(jobs []*transform.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = jobName(j)
	}
	return out
}

func allJobs(t *transform.Timeline) []*transform.Job {
	var out []*transform.Job
	for _, s := range append(append(append([]transform.Stage(nil), t.Sync...), t.Fail), t.Delete...) {
		out = append(out, s.Jobs()...)
	}
	return out
}

func hasGenerate(t *transform.Timeline) bool {
	for _, o := range t.Objects {
		if o.Argo.Runs() && (o.Job != nil && o.Job.Generate || o.Job == nil && o.Name == "" && o.GenerateName != "") {
			return true
		}
	}
	return false
}

// wrap fills text into lines of at most width characters, the first
// starting with first, the others with rest.
func wrap(first, rest, text string, width int) string {
	var b strings.Builder
	line := first
	empty := true
	for _, word := range strings.Fields(text) {
		if !empty && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	b.WriteString(line + "\n")
	return b.String()
}

// explainMermaid writes the timeline as Markdown: a Mermaid flowchart of
// the phases and waves, then the notes.
func explainMermaid(t *transform.Timeline, title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Hooks of %s**\n\n```mermaid\nflowchart TD\n", mdEscape(title))
	chain := func(id, label string, stages []transform.Stage, between map[int]string) string {
		fmt.Fprintf(&b, "  subgraph %s[\"%s\"]\n    direction TB\n", id, label)
		var ids []string
		for i, s := range stages {
			if text, ok := between[i]; ok {
				nid := id + "_step" + strconv.Itoa(i)
				fmt.Fprintf(&b, "    %s([\"%s\"])\n", nid, mermaidText(text))
				ids = append(ids, nid)
				continue
			}
			if s.Empty() && s.Phase != transform.Sync {
				continue
			}
			if s.Empty() {
				nid := id + "_sync"
				fmt.Fprintf(&b, "    %s[\"%s<br/>the resources of the other sources\"]\n", nid, s.Phase)
				ids = append(ids, nid)
				continue
			}
			for _, w := range s.Waves {
				nid := fmt.Sprintf("%s_%s_w%s", id, strings.ToLower(string(s.Phase)), strings.ReplaceAll(strconv.Itoa(int(w.Wave)), "-", "m"))
				lines := []string{fmt.Sprintf("<b>%s</b> · wave %d", s.Phase, w.Wave)}
				for _, j := range w.Jobs {
					lines = append(lines, mermaidText(jobName(j))+"<br/><small>"+mermaidText(strings.Join(jobSummary(j), ", "))+"</small>")
				}
				if len(w.Resources) > 0 {
					what := plural(len(w.Resources), "resource")
					if s.Phase != transform.Sync {
						what = plural(len(w.Resources), "hook") + " from the manifests"
					}
					lines = append(lines, mermaidText(what+": "+resourceNames(w.Resources, 4)))
				}
				fmt.Fprintf(&b, "    %s[\"%s\"]\n", nid, strings.Join(lines, "<br/>"))
				ids = append(ids, nid)
			}
		}
		if len(ids) > 1 {
			fmt.Fprintf(&b, "    %s\n", strings.Join(ids, " --> "))
		}
		b.WriteString("  end\n")
		return id
	}
	chain("onsync", "On every sync", t.Sync, nil)
	if !t.Fail.Empty() {
		chain("onfail", "When a sync fails", []transform.Stage{t.Fail}, nil)
		b.WriteString("  onsync -. a step fails .-> onfail\n")
	}
	if !t.Delete[0].Empty() || !t.Delete[2].Empty() {
		chain("ondelete", "When the Application is deleted", t.Delete, map[int]string{1: "Argo CD deletes the resources"})
	}
	b.WriteString("```\n")
	if len(t.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range t.Notes {
			b.WriteString("- " + mdEscape(n.Text))
			if names := noteNames(n); len(names) > 0 {
				b.WriteString(" (`" + strings.Join(names, "`, `") + "`)")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// mermaidText makes text safe inside a quoted Mermaid label.
func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;")
	return r.Replace(s)
}

// mdEscape keeps Markdown from reading emphasis into names.
func mdEscape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`).Replace(s)
}

// explainReport is explain's JSON output.
type explainReport struct {
	Application string `json:"application"`
	// Objects are the objects of the output in its order, a List's items
	// each on its own, as Argo CD reads them.
	Objects []explainObject `json:"objects"`
	// Stages are the phases in Argo CD's order, the empty ones left out.
	Stages []explainStage `json:"stages"`
	Notes  []explainNote  `json:"notes"`
}

type explainObject struct {
	APIVersion   string `json:"apiVersion"`
	Kind         string `json:"kind"`
	Name         string `json:"name,omitempty"`
	GenerateName string `json:"generateName,omitempty"`
	Namespace    string `json:"namespace,omitempty"`
	// Hook is the name of the hook that generated it; "" for the
	// application's own objects.
	Hook string `json:"hook,omitempty"`
	// IsHook: Argo CD applies it as a hook, not with the resources.
	IsHook bool `json:"isHook"`
	Skip   bool `json:"skip"`
	// SyncPhases: the sync phases it is applied in.
	SyncPhases []string `json:"syncPhases"`
	Wave       int      `json:"wave"`
	// DeletePhases: PreDelete and PostDelete as Argo CD 3.3 reads them.
	DeletePhases []string `json:"deletePhases"`
	// PostDeleteV2: Argo CD 2.14 reads it as a PostDelete hook.
	PostDeleteV2 bool `json:"postDeleteV2"`
}

type explainStage struct {
	Phase string        `json:"phase"`
	Waves []explainWave `json:"waves"`
}

type explainWave struct {
	Wave    int      `json:"wave"`
	Objects []string `json:"objects"`
}

type explainNote struct {
	Key   string   `json:"key"`
	Text  string   `json:"text"`
	About []string `json:"about"`
}

func explainJSON(t *transform.Timeline, app string) explainReport {
	phases := func(ps []transform.Phase) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, string(p))
		}
		return out
	}
	rep := explainReport{Application: app, Objects: []explainObject{}, Stages: []explainStage{}, Notes: []explainNote{}}
	for _, o := range t.Objects {
		eo := explainObject{
			APIVersion: o.APIVersion, Kind: o.Kind, Name: o.Name, GenerateName: o.GenerateName, Namespace: o.Namespace,
			IsHook: o.Argo.Hook, Skip: o.Argo.Skip, SyncPhases: phases(o.Argo.SyncPhases), Wave: o.Argo.Wave,
			DeletePhases: phases(o.Argo.DeletePhases), PostDeleteV2: o.Argo.PostDeleteV2,
		}
		if o.Job != nil {
			eo.Hook = o.Job.Hook
		}
		rep.Objects = append(rep.Objects, eo)
	}
	for _, s := range append(append(slices.Clone(t.Sync), t.Fail), t.Delete[0], t.Delete[2]) {
		if s.Empty() {
			continue
		}
		es := explainStage{Phase: string(s.Phase)}
		for _, w := range s.Waves {
			names := jobNames(w.Jobs)
			for _, o := range w.Resources {
				names = append(names, o.Label())
			}
			es.Waves = append(es.Waves, explainWave{Wave: w.Wave, Objects: names})
		}
		rep.Stages = append(rep.Stages, es)
	}
	for _, n := range t.Notes {
		about := noteNames(n)
		if about == nil {
			about = []string{}
		}
		rep.Notes = append(rep.Notes, explainNote{Key: n.Key, Text: n.Text, About: about})
	}
	return rep
}
