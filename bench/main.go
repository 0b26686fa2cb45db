// Command bench times hookgen as Argo CD runs it, whole processes side by
// side with kustomize (and a hello-world binary, and through the real
// argocd-cmp-server when the test tools are built), and writes
// bench/results.md. `make bench` runs it; see bench/run.sh.
//
// Every row runs its commands interleaved (A B, then B A, ...) so that a
// busy machine slows both sides alike; it reports the median and the
// min–max of each side, the ratio of the medians, and the median of the
// ratios of each pair (run i of A over run i of B), which also cancels a
// drift during the row (through the cmp-server both sides slow down from
// run to run). A ratio target holds only when both ratios meet it. Every
// timed run's output is hashed and must equal its command's first run.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"

	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hookgen/hookgen/internal/benchdata"
)

func main() {
	hookgen := flag.String("hookgen", "bin/hookgen", "the hookgen binary")
	kustomize := flag.String("kustomize", "kustomize", "kustomize v5.8.2")
	out := flag.String("out", "bench/results.md", "the report")
	work := flag.String("work", "", "work directory (default: a fresh temp dir, removed afterwards)")
	scale := flag.Float64("runs", 1, "multiply every row's number of runs")
	only := flag.String("rows", "", "comma-separated rows to run (start, a, b, f, c, d, r); default: all")
	cmpResults := flag.String("cmp", "", "row (d): the JSON file of cmp-server timings bench/run.sh makes")
	repoResults := flag.String("repo", "", "rows (r) and the monorepo: the JSON file of repo-server timings bench/run.sh makes")
	against := flag.String("against", "", "a second hookgen binary: row vs times -hookgen against it on row a's app, interleaved, and prints the report (unless -out); other rows only if -rows names them")
	profile := flag.String("profile", "", "instead of timing rows, write perf profiles of a hooks-only run and of --version into this directory (make profile)")
	flag.Parse()
	if *profile != "" {
		if err := profileIn(*hookgen, *work, *profile, max(50, int(300**scale))); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	rows = map[string]bool{}
	for _, r := range strings.Split(*only, ",") {
		if r != "" {
			rows[r] = true
		}
	}
	if *against != "" {
		// Weighing a change: row vs only (and any row -rows names), and
		// bench/results.md stays as make bench wrote it.
		rows["vs"] = true
		outSet := false
		flag.Visit(func(f *flag.Flag) { outSet = outSet || f.Name == "out" })
		if !outSet {
			*out = "-"
		}
	}
	if err := run(*hookgen, *kustomize, *out, *work, *scale, *cmpResults, *repoResults, *against); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// rows holds the rows to run; empty means all.
var rows map[string]bool

func want(row string) bool { return len(rows) == 0 || rows[row] }

func run(hookgen, kustomize, out, work string, scale float64, cmpResults, repoResults, against string) error {
	var err error
	if hookgen, err = filepath.Abs(hookgen); err != nil {
		return err
	}
	if p, err := exec.LookPath(kustomize); err == nil {
		kustomize = p
	}
	if v, err := exec.Command(kustomize, "version").Output(); err != nil || strings.TrimSpace(string(v)) != "v5.8.2" {
		return fmt.Errorf("%s is not kustomize v5.8.2 (%s %v); go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.2", kustomize, bytes.TrimSpace(v), err)
	}
	if work == "" {
		if work, err = os.MkdirTemp("", "hookgen-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	}
	// Every timed binary runs from a copy of its own (install.go).
	if hookgen, err = install(hookgen, work, "hookgen"); err != nil {
		return err
	}
	if kustomize, err = install(kustomize, work, "kustomize"); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "bench: writing inputs to", work)
	in, err := makeInputs(work, hookgen)
	if err != nil {
		return err
	}
	r := &report{started: time.Now(), loadStart: loadAvg()}
	n := func(base int) int { return max(3, int(float64(base)*scale+0.5)) }
	noConfig := "HOOKGEN_CONFIG_DIR=" + filepath.Join(work, "no-config")
	hg := func(dir, source string) command {
		return command{name: "hookgen generate", path: hookgen, args: []string{"generate"}, dir: dir, env: append(appEnv(source), noConfig)}
	}
	kb := func(dir string) command {
		return command{name: "kustomize build", path: kustomize, args: []string{"build", "."}, dir: dir}
	}

	var row *benchRow
	// Start: hookgen --version next to a hello-world binary.
	if want("start") {
		row = r.measure("start", "`hookgen --version` vs a hello-world Go binary", n(200),
			command{name: "hookgen --version", path: hookgen, args: []string{"--version"}},
			command{name: "hello", path: in.hello})
		row.target = "within a few ms"
		row.pass = row.a.median()-row.b.median() <= 5*time.Millisecond
		row.note = fmt.Sprintf("difference of medians: %s", ms(row.a.median()-row.b.median()))
	}

	// (a) hooks only.
	if want("a") {
		// 200 pairs, as row start: a 5 ms process against a 20 ms one
		// moved its ratio by 0.02 between runs of 40.
		row = r.measure("a", "hooks-only app, 6 hooks (7 Jobs): `hookgen generate` vs `kustomize build` of the same Jobs by hand", n(200),
			hg(in.hooksApp, "hooks-only"), kb(in.hooksKust))
		row.ratioTarget(0.3)
	}

	// vs: this hookgen against another build of it, on row a's app.
	if against != "" {
		if against, err = install(against, work, "hookgen-against"); err != nil {
			return err
		}
		other := hg(in.hooksApp, "hooks-only")
		other.name, other.path = "hookgen generate (-against)", against
		row = r.measure("vs", "hooks-only app as in row a: `hookgen generate` of -hookgen vs of -against", n(200), hg(in.hooksApp, "hooks-only"), other)
		row.noTarget, row.pass = true, true
		row.target = "– (weighs a change)"
	}

	// (b) a plain app of 1,000 resources plus the hooks.
	if want("b") {
		row = r.measure("b", "plain app, 1,000 ConfigMaps + 6 hooks: `hookgen generate` vs `kustomize build` of the same files", n(7),
			hg(in.plain1k, "plain-1000"), kb(in.plain1kKust))
		row.ratioTarget(0.10)
		b1k := row
		rss := &benchRow{id: "b RSS", what: "peak RSS of the same runs (getrusage)", rss: true, a: b1k.aRSS, b: b1k.bRSS}
		rss.target = "≤ kustomize's"
		rss.pass = rss.a.max() <= rss.b.min()
		rss.note = fmt.Sprintf("hookgen max %s, kustomize min %s", kb1(rss.a.max()), kb1(rss.b.min()))
		r.rows = append(r.rows, rss)
		row = r.measure("b scale", "`hookgen generate`: plain app of 10,000 vs 1,000 ConfigMaps (+ 6 hooks)", n(7),
			hg(in.plain10k, "plain-10000"), hg(in.plain1k, "plain-1000"))
		row.target = "≤ 11"
		row.pass = row.ratio() <= 11 && row.paired() <= 11
		// The same against kustomize for the other shapes of plain app.
		for _, s := range benchdata.Shapes[1:] {
			row = r.measure("b "+s.Name, s.What+" + 6 hooks: `hookgen generate` vs `kustomize build` of the same files", n(7),
				hg(in.shapeApp[s.Name], "shape-"+s.Name), kb(in.shapeKust[s.Name]))
			row.ratioTarget(0.10)
		}
	}

	// (f) the floor: cat of the files hookgen reads, for every shape.
	if want("f") {
		cat, err := exec.LookPath("cat")
		if err != nil {
			return fmt.Errorf("row f: %w", err)
		}
		for _, s := range benchdata.Shapes {
			dir, source := in.plain1k, "plain-1000"
			if s.Name != benchdata.Shapes[0].Name {
				dir, source = in.shapeApp[s.Name], "shape-"+s.Name
			}
			files, err := appFiles(dir)
			if err != nil {
				return fmt.Errorf("row f: %w", err)
			}
			row = r.measure("f "+s.Name, s.What+" + 6 hooks: `hookgen generate` vs `cat` of the same files (the floor)", n(15),
				hg(dir, source), command{name: "cat", path: cat, args: files, dir: dir})
			row.ratioTarget(1.10)
		}
	}

	// (c) a kustomize overlay of 1,000 resources.
	if want("c") {
		row = r.measure("c", "kustomize overlay of a 1,000-resource base (+ 6 hooks for hookgen): `hookgen generate` vs `kustomize build`", n(7),
			hg(in.overlay, "kustomize/overlays/prod"), kb(in.overlay))
		row.ratioTarget(1.1)
	}

	// (d) through the real argocd-cmp-server.
	if want("d") {
		row, err := cmpRow(cmpResults)
		if err != nil {
			return err
		}
		r.rows = append(r.rows, row)
	}

	// (r) through the real argocd-repo-server, and the monorepo.
	if want("r") {
		rows, mono, err := repoRows(repoResults)
		if err != nil {
			return err
		}
		r.rows = append(r.rows, rows...)
		r.mono = mono
	}

	r.loadEnd = loadAvg()
	r.finished = time.Now()
	text := r.markdown()
	fmt.Print(text)
	if out == "-" {
		return nil
	}
	return os.WriteFile(out, []byte(text), 0o644)
}

// command is one process to time.
type command struct {
	name string
	path string
	args []string
	dir  string
	env  []string
	want string // the SHA-256 of its output, set by measure
}

// sample is one side's measurements.
type sample []time.Duration

// median returns the middle value of xs, the mean of the two middle ones
// for an even count, 0 for none. xs is not modified.
func median[T ~int64 | ~float64](xs []T) T {
	c := slices.Clone(xs)
	slices.Sort(c)
	if len(c) == 0 {
		return 0
	}
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

func (s sample) median() time.Duration { return median(s) }
func (s sample) min() time.Duration    { return slices.Min(s) }
func (s sample) max() time.Duration    { return slices.Max(s) }

type benchRow struct {
	id, what   string
	aName      string
	bName      string
	a, b       sample
	aRSS, bRSS sample // KiB, stored as Durations for the same helpers
	aCPU, bCPU sample // user + system time
	rss        bool
	target     string
	pass       bool
	noTarget   bool // a figure to report, with no target
	note       string
}

func (r *benchRow) ratio() float64 { return float64(r.a.median()) / float64(r.b.median()) }

// paired is the median of a[i]/b[i] over the runs of a row.
func (r *benchRow) paired() float64 {
	n := min(len(r.a), len(r.b))
	if n == 0 {
		return 0
	}
	rs := make([]float64, n)
	for i := range n {
		rs[i] = float64(r.a[i]) / float64(r.b[i])
	}
	return median(rs)
}

// ratioTarget sets a ratio target that holds only when both the ratio
// of the medians and the median of the paired ratios meet it.
func (r *benchRow) ratioTarget(t float64) {
	r.target = fmt.Sprintf("≤ %.2f×", t)
	r.pass = r.ratio() <= t && r.paired() <= t
}

type report struct {
	started, finished  time.Time
	loadStart, loadEnd string
	rows               []*benchRow
	mono               *monoReport
}

// measure runs a and b n times each, interleaved, and records wall time
// and peak RSS. Every timed run's output must equal the output of the
// command's first, untimed run (its SHA-256): a run that printed
// something else, or nothing, stops the bench.
func (r *report) measure(id, what string, n int, a, b command) *benchRow {
	fmt.Fprintf(os.Stderr, "bench: %s: %d runs each of %s and %s\n", id, n, a.name, b.name)
	row := &benchRow{id: id, what: what, aName: a.name, bName: b.name}
	// One run each first: warm the page cache and the binaries, and note
	// what each prints.
	a.want = run1(a)
	b.want = run1(b)
	for i := 0; i < n; i++ {
		first, second := a, b
		if i%2 == 1 {
			first, second = b, a
		}
		d1, m1, c1 := timeOnce(first)
		d2, m2, c2 := timeOnce(second)
		if i%2 == 1 {
			d1, d2, m1, m2, c1, c2 = d2, d1, m2, m1, c2, c1
		}
		row.a, row.b = append(row.a, d1), append(row.b, d2)
		row.aRSS, row.bRSS = append(row.aRSS, time.Duration(m1)), append(row.bRSS, time.Duration(m2))
		row.aCPU, row.bCPU = append(row.aCPU, c1), append(row.bCPU, c2)
	}
	r.rows = append(r.rows, row)
	return row
}

// run1 runs a command once, untimed, and returns the SHA-256 of what it
// printed; empty output stops the bench.
func run1(c command) string {
	c.want = ""
	_, _, _, sum, size := timeRun(c)
	if size == 0 {
		fmt.Fprintf(os.Stderr, "bench: %s in %s printed nothing\n", c.name, c.dir)
		os.Exit(1)
	}
	return sum
}

// timeOnce runs a command and returns its wall time, peak RSS in KiB and
// CPU time. A failing command, or one whose output's SHA-256 is not
// c.want, stops the bench.
func timeOnce(c command) (time.Duration, int64, time.Duration) {
	d, rss, cpu, sum, _ := timeRun(c)
	if sum != c.want {
		fmt.Fprintf(os.Stderr, "bench: %s in %s printed other bytes than its first run (sha256 %s, first %s)\n", c.name, c.dir, sum, c.want)
		os.Exit(1)
	}
	return d, rss, cpu
}

// timeRun runs a command, hashing its output as it comes.
func timeRun(c command) (d time.Duration, rss int64, cpu time.Duration, sum string, size int64) {
	h := sha256.New()
	out := &countingWriter{w: h}
	cmd := exec.Command(c.path, c.args...)
	cmd.Dir = c.dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, c.env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	start := time.Now()
	err := cmd.Run()
	d = time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s in %s: %v\n%s", c.name, c.dir, err, stderr.Bytes())
		os.Exit(1)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) // int32 on some platforms
	}
	return d, rss, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), hex.EncodeToString(h.Sum(nil)), out.n
}

// countingWriter counts what it passes on.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// appFiles lists the files of an app directory that hookgen reads (all of
// them: its manifests and hookgen.yaml), by name, sorted.
func appFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, e.Name())
		}
	}
	if len(files) < 1000 {
		return nil, fmt.Errorf("%s holds %d files, want more than 1,000", dir, len(files))
	}
	return files, nil
}

func ms(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond && d > -10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func kb1(d time.Duration) string { return fmt.Sprintf("%.1f MiB", float64(d)/1024) }

func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# hookgen benchmarks\n\n")
	fmt.Fprintf(&b, "- machine: %s, %d cores, %s %s/%s\n", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "- date: %s (took %s)\n", r.started.UTC().Format("2006-01-02 15:04 UTC"), r.finished.Sub(r.started).Round(time.Second))
	fmt.Fprintf(&b, "- load average (1, 5, 15 min) at start: %s; at end: %s\n", r.loadStart, r.loadEnd)
	fmt.Fprintf(&b, "- each row runs its two commands interleaved (A B, B A, ...) after one warm-up run each; wall time per process; each run's output is hashed and must equal its command's first run\n")
	fmt.Fprintf(&b, "- every binary timed runs from a copy made for the run (bench/install.go), so that each side's page cache is an installed binary's, not what the linker left\n")
	fmt.Fprintf(&b, "- A/B is the ratio of the medians; paired A/B the median of the per-pair ratios (run i of A over run i of B); a ratio target holds only when both meet it\n\n")
	fmt.Fprintf(&b, "| row | what | A | A median (min–max) | B | B median (min–max) | A/B | paired A/B | CPU A/B | target | result |\n")
	fmt.Fprintf(&b, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, w := range r.rows {
		f := ms
		if w.rss {
			f = kb1
		}
		res := "PASS"
		if w.noTarget {
			res = "measured"
		} else if !w.pass {
			res = "MISS"
		}
		if w.note != "" {
			res += " (" + w.note + ")"
		}
		aName, bName := w.aName, w.bName
		if w.rss {
			aName, bName = "hookgen", "kustomize"
		}
		cpu := "–"
		if len(w.aCPU) > 0 && w.bCPU.median() > 0 {
			cpu = fmt.Sprintf("%.3f", float64(w.aCPU.median())/float64(w.bCPU.median()))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s (%s–%s) | %s | %s (%s–%s) | %.3f | %.3f | %s | %s | %s |\n",
			w.id, w.what, aName, f(w.a.median()), f(w.a.min()), f(w.a.max()), bName, f(w.b.median()), f(w.b.min()), f(w.b.max()), w.ratio(), w.paired(), cpu, w.target, res)
	}
	var misses []string
	for _, w := range r.rows {
		if note := missNotes[strings.Fields(w.id)[0]]; !w.pass && note != "" {
			misses = append(misses, fmt.Sprintf("- **%s**: %s", w.id, note))
		}
	}
	if len(misses) > 0 {
		fmt.Fprintf(&b, "\n## Why a row missed\n\n%s\n", strings.Join(misses, "\n"))
	}
	if m := r.mono; m != nil {
		m.markdown(&b)
	}
	return b.String()
}

// missNotes explain, for a row that misses its target, where the time goes,
// with the profile that shows it.
var missNotes = map[string]string{
	"start": "the gap to a hello-world binary is the Go runtime starting a 17 MB binary (about a quarter of the samples: CPU feature probes, the itab table, GOMAXPROCS from the cgroup, the heap) and package initialization (about 40%), spread over the dependency graph: kyaml's and kustomize's (protobuf and gnostic OpenAPI descriptors, kyaml's validation regexps, go-yaml v2 and v3), the runner's (x/text, crypto, net/http, go-mail, html/template); hookgen's own packages about 2% (bench/profiles/startup.txt; make profile writes it).",
	"a":     "a hooks-only run is mostly a process start: package initialization, the runtime's start and stack growth take about 40% of its samples, as much as hookgen's work (reading and parsing hookgen.yaml, decoding the built-in templates its hooks use, making, judging and writing the Jobs: about 42%, a third of it page faults of a fresh process; under 1 ms in a warm process, BenchmarkHooksOnly). hookgen --version alone is about 0.18x the kustomize build (bench/profiles/hooks-only.txt; make profile writes it).",
	"c":     "the same kustomize library runs in both processes; in-process, hookgen's build takes what kustomize's takes (BenchmarkKustomize, and a direct comparison in one test binary gave 5.3-7.1 s against 6.1-6.8 s): a miss is the noise of 7 runs of 5 s each on a loaded machine.",
	"r":     "through the repo-server both plugins pay the repository's tar twice (discovery and generation), the gRPC streams and the extraction; single requests fall into a fast mode (about 0.3 s) and a slow one (about 1.4 s) from Argo CD's path, and hookgen's own time is that of row b (docs/performance.md).",
	"d":     "with the requests' files on a tmpfs a request is about 0.1 s, and hookgen's process (row f) against the cat plugin's awk is most of the difference.",
	"f":     "cat copies bytes; hookgen reads each document's identity and syntax before it prints it: the line scanner for block style and one-line flow collections, go-yaml's parser for anything else, and the files through the repository sandbox (docs/performance.md, The floor).",
}

// markdown writes the monorepo table: per configuration the wall time
// of a refresh of every app at once (median and min–max over the
// rounds), its ratio to Argo CD's defaults (of the medians, and the
// median of the per-round ratios), and the duration of one app's call
// (median and min–max over every call of every round).
func (m *monoReport) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "\n## Monorepo: %d apps refreshed at once\n\n", m.Apps)
	fmt.Fprintf(b, "- one git repository of %d apps, each a Deployment, a Service and a ConfigMap in one file and a hookgen.yaml of %d hooks (%d objects per app; %d files, %.1f MiB in the work tree), served by Argo CD %s\n",
		m.Apps, m.Hooks, m.Objects, m.RepoFiles, float64(m.RepoBytes)/(1<<20), m.argo)
	fmt.Fprintf(b, "- a round sends %d GenerateManifest calls at once (hookgen plugin, NoCache, as a hard refresh of every app) and waits for the last; every answer must equal that app's first; each configuration has a repo-server of its own (on one hookgen sidecar, but the last, whose sidecar runs plugin.yaml without `discover`), and the rounds run the configurations in a rotating order\n\n", m.Apps)
	fmt.Fprintf(b, "| configuration | settings | rounds | wall median (min–max) | wall / defaults | paired | per-app median (min–max) |\n")
	fmt.Fprintf(b, "| --- | --- | --- | --- | --- | --- | --- |\n")
	def := sample(m.Configs[0].Wall)
	for _, c := range m.Configs {
		var calls sample
		for _, cs := range c.Calls {
			calls = append(calls, cs...)
		}
		wall := sample(c.Wall)
		pr := &benchRow{a: wall, b: def}
		fmt.Fprintf(b, "| %s | %s | %d | %s (%s–%s) | %.3f | %.3f | %s (%s–%s) |\n", c.Name, c.Settings, len(c.Wall),
			ms(wall.median()), ms(wall.min()), ms(wall.max()), pr.ratio(), pr.paired(),
			ms(calls.median()), ms(calls.min()), ms(calls.max()))
	}
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}
