package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Profiles: where a hooks-only `hookgen generate` and `hookgen --version`
// spend their time, from perf's cpu-clock samples of many runs of a
// hookgen built with symbols. `make profile` writes them to
// bench/profiles; each file splits the samples of the hookgen process
// into the phases of a run (below), package initialization by module,
// and the functions with the most samples, children included.

// phase is a part of a run, known by a function on the sample's stack.
type phase struct {
	name  string
	funcs []string // any of them on the stack
	need  bool     // a generate profile must have samples here
}

// phases are tried in order; the first that matches takes the sample.
var phases = []phase{
	{"work: the built-in templates the hooks use (decode)", []string{"github.com/hookgen/hookgen/transform.addBuiltins"}, true},
	{"work: read and parse hookgen.yaml", []string{"github.com/hookgen/hookgen/internal/hookset.ParseHookSet"}, true},
	{"work: make the Jobs", []string{"github.com/hookgen/hookgen/internal/jobgen.(*Generator).Generate"}, true},
	{"work: judge the Jobs (policy, pod security)", []string{"github.com/hookgen/hookgen/internal/judge.Judge"}, true},
	{"work: write the output", []string{"github.com/hookgen/hookgen/internal/emit.(*Result).WriteTo"}, true},
	{"work: the rest of main", []string{"main.main"}, true},
	{"package initialization", []string{"runtime.doInit1"}, true},
	{"runtime start (cpu features, itabs, GOMAXPROCS, heap)", []string{"runtime.schedinit", "runtime.rt0_go.abi0"}, true},
	{"stack growth (copying a goroutine's stack as it deepens)", []string{"runtime.newstack"}, true},
	{"sysmon (its own thread)", []string{"runtime.sysmon"}, false},
	{"scheduler and thread start", []string{"runtime.mcall", "runtime.mstart0"}, false},
	{"garbage collector", []string{"runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge"}, false},
	{"exec (kernel)", []string{"__x64_sys_execve"}, false},
}

// modules group package initialization.
var modules = []string{
	"google.golang.org/protobuf", "github.com/google/gnostic-models", "sigs.k8s.io/kustomize/kyaml",
	"sigs.k8s.io/kustomize/api", "go.yaml.in/yaml", "golang.org/x/text", "golang.org/x/net",
	"github.com/go-openapi", "k8s.io/kube-openapi", "github.com/wneessen/go-mail", "github.com/hookgen/hookgen",
	"crypto/", "net", "html/", "text/template", "vendor/", "unicode", "runtime",
}

// profileIn writes dir/hooks-only.txt and dir/startup.txt, with the
// inputs in work (a temp dir when empty).
func profileIn(hookgen, work, dir string, runs int) error {
	var err error
	if hookgen, err = filepath.Abs(hookgen); err != nil {
		return err
	}
	if work == "" {
		if work, err = os.MkdirTemp("", "hookgen-profile-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	}
	if hookgen, err = install(hookgen, work, "hookgen"); err != nil { // as the timed rows run it
		return err
	}
	return runProfile(hookgen, work, dir, runs)
}

// runProfile writes dir/hooks-only.txt and dir/startup.txt.
func runProfile(hookgen, work, dir string, runs int) error {
	perf, err := exec.LookPath("perf")
	if err != nil {
		return fmt.Errorf("perf is needed for profiles (Debian: apt-get install linux-perf): %w", err)
	}
	in, err := makeInputs(work, hookgen)
	if err != nil {
		return err
	}
	env := append(appEnv("hooks-only"), "HOOKGEN_CONFIG_DIR="+filepath.Join(work, "no-config"))
	for _, p := range []struct {
		file, what string
		args       []string
		cwd        string
		env        []string
	}{
		{"hooks-only.txt", "hookgen generate on the hooks-only app of row a (6 hooks, 7 Jobs)", []string{"generate"}, in.hooksApp, env},
		{"startup.txt", "hookgen --version (row start)", []string{"--version"}, work, nil},
	} {
		stacks, err := record(perf, work, hookgen, p.args, p.cwd, p.env, runs)
		if err != nil {
			return fmt.Errorf("%s: %w", p.file, err)
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "# perf record -e cpu-clock -g, %d runs of %s, built with symbols; %s, load average %s\n", runs, p.what, time.Now().UTC().Format("2006-01-02 15:04 UTC"), loadAvg())
		fmt.Fprintf(&b, "# %d samples of the hookgen process; written by make profile (bench/profile.go)\n\n", len(stacks))
		if err := writeSplit(&b, stacks, p.file == "hooks-only.txt"); err != nil {
			return fmt.Errorf("%s: %w", p.file, err)
		}
		if err := os.WriteFile(filepath.Join(dir, p.file), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// record runs hookgen runs times under perf and returns the stacks of its
// samples, leaf first.
func record(perf, work, hookgen string, args []string, cwd string, env []string, runs int) ([][]string, error) {
	data := filepath.Join(work, "perf.data")
	loop := fmt.Sprintf(`i=0; while [ $i -lt %d ]; do "$0" "$@" >/dev/null || exit 1; i=$((i+1)); done`, runs)
	cmd := exec.Command(perf, append([]string{"record", "-q", "-e", "cpu-clock", "-F", "20000", "-g", "-o", data, "--", "/bin/sh", "-c", loop, hookgen}, args...)...)
	cmd.Dir = cwd
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("perf record: %w\n%s", err, out)
	}
	comm := filepath.Base(hookgen)
	comm = comm[:min(len(comm), 15)] // the kernel keeps 15 bytes of a command's name
	script := exec.Command(perf, "script", "-i", data, "--comm", comm, "-F", "comm,ip,sym")
	out, err := script.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := script.Start(); err != nil {
		return nil, err
	}
	stacks := parseScript(out)
	if err := script.Wait(); err != nil {
		return nil, fmt.Errorf("perf script: %w", err)
	}
	if len(stacks) < runs {
		return nil, fmt.Errorf("perf recorded %d samples of hookgen in %d runs", len(stacks), runs)
	}
	return stacks, nil
}

// parseScript reads perf script's output: a line naming the process, then
// one frame per line ("addr symbol+off (dso)"), then a blank line.
func parseScript(r io.Reader) [][]string {
	var stacks [][]string
	var cur []string
	in := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			if in {
				stacks = append(stacks, cur)
			}
			cur, in = nil, false
		case !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " "):
			cur, in = nil, true // "hookgen ..." starts a sample
		default:
			f := strings.Fields(line)
			if len(f) >= 2 {
				sym, _, _ := strings.Cut(f[1], "+0x")
				cur = append(cur, sym)
			}
		}
	}
	if in {
		stacks = append(stacks, cur)
	}
	return stacks
}

// writeSplit writes the phases, the package initialization by module and
// the top functions. need makes a phase of a generate run with no sample
// an error: a function renamed since would leave it empty.
func writeSplit(w io.Writer, stacks [][]string, need bool) error {
	n := float64(len(stacks))
	byPhase := make([]int, len(phases)+1)
	byModule := map[string]int{}
	total := map[string]int{}
	for _, st := range stacks {
		i := slices.IndexFunc(phases, func(p phase) bool {
			return slices.ContainsFunc(p.funcs, func(f string) bool { return slices.Contains(st, f) })
		})
		if i < 0 {
			i = len(phases)
		}
		byPhase[i]++
		if j := slices.Index(st, "runtime.doInit1"); j > 0 {
			byModule[moduleOf(st[j-1])]++
		}
		seen := map[string]bool{}
		for _, f := range st {
			if !seen[f] {
				seen[f] = true
				total[f]++
			}
		}
	}
	fmt.Fprintf(w, "## Where the samples fall\n\n")
	for i, p := range phases {
		if need && p.need && byPhase[i] == 0 {
			return fmt.Errorf("no sample in %q (%s): renamed?", p.name, strings.Join(p.funcs, ", "))
		}
		fmt.Fprintf(w, "%6.1f%%  %s\n", 100*float64(byPhase[i])/n, p.name)
	}
	fmt.Fprintf(w, "%6.1f%%  other\n", 100*float64(byPhase[len(phases)])/n)

	fmt.Fprintf(w, "\n## Package initialization by module\n\n")
	for _, m := range sortedKeys(byModule) {
		fmt.Fprintf(w, "%6.2f%%  %s\n", 100*float64(byModule[m])/n, m)
	}

	fmt.Fprintf(w, "\n## Functions with the most samples, children included\n\n")
	top := sortedKeys(total)
	for _, f := range top[:min(60, len(top))] {
		fmt.Fprintf(w, "%6.2f%%  %s\n", 100*float64(total[f])/n, f)
	}
	return nil
}

// moduleOf groups an init function by the module or standard package it
// belongs to.
func moduleOf(fn string) string {
	for _, m := range modules {
		if strings.HasPrefix(fn, m) {
			return m
		}
	}
	pkg, _, _ := strings.Cut(fn, ".init")
	return pkg
}

// sortedKeys returns m's keys, highest count first, then by name.
func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	return keys
}
