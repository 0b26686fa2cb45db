package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/golden"
)

// A command-line case is a directory under testdata/cli:
//
//	args     the arguments, one per line; $TMP is a fresh directory
//	env      KEY=value lines added to a clean environment (optional)
//	stdin    what the command reads (optional)
//	stdout   what it must print on stdout; $TMP stands for the directory
//	stderr   what it must print on stderr
//	code     its exit code
//
// The command runs in the repository's root, with no Argo CD variables, no
// platform config unless the case names one, and no terminal. The files
// are kept by internal/golden: -update (also for testdata/krm/expected.yaml
// and the README's example output) rewrites them from the current output.
func TestCLIGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "cli", "*", "args"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no command-line cases under testdata/cli: %v", err)
	}
	for _, argsFile := range dirs {
		dir := filepath.Dir(argsFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			if err := os.Mkdir(filepath.Join(tmp, "no-config"), 0o755); err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, line := range strings.Split(strings.TrimSuffix(string(mustRead(t, argsFile)), "\n"), "\n") {
				args = append(args, strings.ReplaceAll(line, "$TMP", tmp))
			}
			cmd := exec.Command(binary, args...)
			env := readEnv(t, filepath.Join(dir, "env"))
			for k, v := range env {
				env[k] = strings.ReplaceAll(v, "$TMP", tmp)
			}
			cmd.Env = binaryEnv(t, tmp, filepath.Join(tmp, "no-config"), env)
			if in, err := os.ReadFile(filepath.Join(dir, "stdin")); err == nil {
				cmd.Stdin = bytes.NewReader(in)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil && cmd.ProcessState == nil {
				t.Fatal(err)
			}
			got := map[string][]byte{
				"stdout": bytes.ReplaceAll(stdout.Bytes(), []byte(tmp), []byte("$TMP")),
				"stderr": bytes.ReplaceAll(stderr.Bytes(), []byte(tmp), []byte("$TMP")),
				"code":   []byte(strconv.Itoa(cmd.ProcessState.ExitCode()) + "\n"),
			}
			for _, name := range []string{"code", "stdout", "stderr"} {
				golden.Check(t, filepath.Join(dir, name), got[name])
			}
		})
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVersion checks what hookgen version prints, stamped and not.
func TestVersion(t *testing.T) {
	out, err := exec.Command(binary, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "hookgen ") || !strings.HasPrefix(lines[1], "commit: ") || !strings.HasPrefix(lines[2], "go: go1.") {
		t.Errorf("hookgen version:\n%s", out)
	}
	stamped := filepath.Join(t.TempDir(), "hookgen")
	build := exec.Command("go", "build", "-o", stamped, "-ldflags", "-X github.com/hookgen/hookgen/plugin.version=v9.8.7 -X github.com/hookgen/hookgen/plugin.commit=abc1234", ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err = exec.Command(stamped, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "hookgen v9.8.7\ncommit: abc1234\ngo: go1.") {
		t.Errorf("stamped version:\n%s", out)
	}
}

// TestDocExplainExample keeps the explain example of docs/commands.md the
// golden output, run from the fixture's repository root.
func TestDocExplainExample(t *testing.T) {
	out := strings.ReplaceAll(string(mustRead(t, filepath.Join("testdata", "cli", "explain-timeline", "stdout"))), "testdata/sync-timeline/repo/", "")
	if !strings.Contains(string(mustRead(t, filepath.Join("docs", "commands.md"))), "```\n"+out+"```\n") {
		t.Errorf("docs/commands.md does not show testdata/cli/explain-timeline/stdout (with paths from the fixture's root):\n%s", out)
	}
}
