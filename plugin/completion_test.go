package plugin

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/runner"
)

func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"completion", shell}, nil, &stdout, &stderr); code != ExitOK {
		t.Fatalf("completion %s: exit %d: %s", shell, code, stderr.String())
	}
	file := filepath.Join(t.TempDir(), "hookgen."+shell)
	if err := os.WriteFile(file, stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// shell returns the path of a shell the completion scripts are checked in.
// A missing shell fails the test: test/deps.sh (run by make test) installs it.
func shell(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: the %s completion script is checked by running it; install it with test/deps.sh (apt-get install %s)", name, name, name)
	}
	return p
}

// TestBashCompletion sources the bash script and asks it what it
// completes, the way bash does on <Tab>.
func TestBashCompletion(t *testing.T) {
	bash := shell(t, "bash")
	script := completionScript(t, "bash")
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"hookgen", "ren"}, "render"},
		{[]string{"hookgen", "v"}, "validate version"},
		{[]string{"hookgen", "validate", "--out"}, "--output"},
		{[]string{"hookgen", "validate", "-o", ""}, "text json"},
		{[]string{"hookgen", "explain", "--format", ""}, "text mermaid json"},
		{[]string{"hookgen", "render", "--color", "a"}, "auto always"},
		{[]string{"hookgen", "render", "--app-name", ""}, ""},
		{[]string{"hookgen", "templates", ""}, "list show"},
		{[]string{"hookgen", "policy", ""}, "check"},
		{[]string{"hookgen", "run", "h"}, "http-check"},
		{[]string{"hookgen", "completion", ""}, "bash fish zsh"},
		{[]string{"hookgen", "render", "--config-dir", "../testd"}, "../testdata"},
		{[]string{"hookgen", "validate", "../testd"}, "../testdata"},
		{[]string{"hookgen", "init", "--wi"}, "--with"},
	} {
		var quoted []string
		for _, w := range tc.words {
			quoted = append(quoted, "'"+w+"'")
		}
		cmd := exec.Command(bash, "-c", `source "$1"; COMP_WORDS=(`+strings.Join(quoted, " ")+`); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _hookgen; echo "${COMPREPLY[*]}"`, "bash", script)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", tc.words, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("%s<Tab>: %q, want %q", strings.Join(tc.words, " "), got, tc.want)
		}
	}
}

func TestFishCompletion(t *testing.T) {
	fish := shell(t, "fish")
	script := completionScript(t, "fish")
	out, err := exec.Command(fish, "-c", `source $argv[1]; complete -C "hookgen explain --format "; complete -C "hookgen tem"`, script).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"mermaid\t", "text\t", "templates\t"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("fish completes\n%s\nwithout %q", out, want)
		}
	}
}

func TestZshCompletion(t *testing.T) {
	zsh := shell(t, "zsh")
	script := completionScript(t, "zsh")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(script)
	for name := range commands {
		if !strings.Contains(string(data), "\n    "+name+")\n") {
			t.Errorf("the zsh script has no case for %s", name)
		}
	}
}

// TestRunnerActions checks the actions completion offers for "hookgen run"
// against the runner's own list.
func TestRunnerActions(t *testing.T) {
	var stdout, stderr bytes.Buffer
	runner.Main(context.Background(), []string{"--help"}, nil, &stdout, &stderr)
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z][-a-z]*)  `).FindAllStringSubmatch(stdout.String(), -1) {
		got = append(got, m[1])
	}
	slices.Sort(got)
	if !slices.Equal(got, runnerActions) {
		t.Errorf("runner actions %v, completion offers %v", got, runnerActions)
	}
}

// TestEveryCommandHasHelp runs each command with --help: usage, examples
// and flags on stdout, exit 0.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, name := range commandNames() {
		var stdout, stderr bytes.Buffer
		code := Main([]string{name, "--help"}, nil, &stdout, &stderr)
		if code != ExitOK || stderr.Len() != 0 {
			t.Errorf("%s --help: exit %d, stderr %q", name, code, stderr.String())
		}
		out := stdout.String()
		if !strings.HasPrefix(out, "Usage: hookgen "+name) && name != "run" {
			t.Errorf("%s --help does not start with its usage:\n%s", name, out)
		}
		if !strings.Contains(out, "Example") && name != "run" {
			t.Errorf("%s --help shows no examples", name)
		}
		// hookgen help NAME says the same.
		var viaHelp bytes.Buffer
		Main([]string{"help", name}, nil, &viaHelp, &stderr)
		if viaHelp.String() != out {
			t.Errorf("hookgen help %s differs from hookgen %s --help", name, name)
		}
	}
}
