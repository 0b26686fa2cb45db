package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The end-to-end tests build the hookgen binary and run it the way Argo
// CD's cmp-server does: in the application's directory, with Argo CD's
// environment, no flags, reading stdout, stderr and the exit code.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hookgen-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "hookgen")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		panic("build hookgen: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// readEnv reads a case's env file: KEY=value lines, blank lines and
// lines starting with # skipped, surrounding spaces trimmed. A missing file
// is an empty env; a line without '=' fails the test.
func readEnv(t *testing.T, file string) map[string]string {
	t.Helper()
	env := map[string]string{}
	data, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return env
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: %q is not KEY=value", file, line)
		}
		env[k] = v
	}
	return env
}

// caseConfigDir returns the absolute path, symlinks resolved, of a case's
// config directory, or "" when the case has none.
func caseConfigDir(dir string) string {
	cfg, err := filepath.EvalSymlinks(filepath.Join(dir, "config"))
	if err != nil {
		return ""
	}
	abs, _ := filepath.Abs(cfg)
	return abs
}

// binaryEnv is the environment the hookgen binary runs with: PATH, HOME,
// the runner image, the config directory, then env, last so that a case
// may override any of them (exec keeps the last of duplicate keys). An
// empty home or cfgDir is a fresh empty directory.
func binaryEnv(t *testing.T, home, cfgDir string, env map[string]string) []string {
	t.Helper()
	if home == "" {
		home = t.TempDir()
	}
	if cfgDir == "" {
		cfgDir = t.TempDir()
	}
	environ := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"HOOKGEN_RUNNER_IMAGE=ghcr.io/hookgen/hookgen:v0.1.0",
		"HOOKGEN_CONFIG_DIR=" + cfgDir,
	}
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	return environ
}

// TestBinaryGolden runs the built binary on every golden case and checks it
// prints exactly what the golden files hold.
func TestBinaryGolden(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "*", "repo"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, repo := range cases {
		dir := filepath.Dir(repo)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			env := readEnv(t, filepath.Join(dir, "env"))
			cmd := exec.Command(binary, "generate")
			cmd.Dir = filepath.Join(repo, filepath.FromSlash(env["ARGOCD_APP_SOURCE_PATH"]))
			cmd.Env = binaryEnv(t, "", caseConfigDir(dir), env)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := cmd.ProcessState.ExitCode()
			if err != nil && code < 0 {
				t.Fatal(err)
			}
			if want, err := os.ReadFile(filepath.Join(dir, "errors.txt")); err == nil {
				if code != 1 || stdout.Len() != 0 || !bytes.Equal(stderr.Bytes(), want) {
					t.Fatalf("exit %d, %d bytes on stdout, stderr:\n%s\nwant exit 1, no stdout, stderr:\n%s", code, stdout.Len(), stderr.Bytes(), want)
				}
				return
			}
			want, err := os.ReadFile(filepath.Join(dir, "expected.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			notes, _ := os.ReadFile(filepath.Join(dir, "notes.txt")) // notes on success, if any
			if code != 0 || !bytes.Equal(stderr.Bytes(), notes) {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.Bytes())
			}
			if !bytes.Equal(stdout.Bytes(), want) {
				t.Fatalf("the binary printed something else than %s/expected.yaml", dir)
			}
		})
	}
}

// TestBinaryUsage checks the command line's exit codes.
func TestBinaryUsage(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		stdout     string // a substring
		stderr     string // a substring
		emptyStdio bool
	}{
		{args: nil, code: 2, stderr: "Usage: hookgen"},
		{args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{args: []string{"generate", "--bogus"}, code: 2, stderr: "unknown flag: --bogus"},
		{args: []string{"generate", "extra"}, code: 2, stderr: `unexpected argument "extra"`},
		{args: []string{"generate", "--help"}, code: 0, stdout: "Usage: hookgen generate"},
		{args: []string{"--help"}, code: 0, stdout: "generate"},
		{args: []string{"version"}, code: 0, stdout: "hookgen "},
		{args: []string{"--version"}, code: 0, stdout: "hookgen "},
		{args: []string{"generate", "--dir", "testdata/does-not-exist"}, code: 1, stderr: "does-not-exist"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			cmd := exec.Command(binary, tc.args...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOOKGEN_CONFIG_DIR=" + t.TempDir()}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Run()
			if got := cmd.ProcessState.ExitCode(); got != tc.code {
				t.Errorf("exit code %d, want %d (stderr: %s)", got, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), tc.stdout)
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.stderr)
			}
			if tc.code != 0 && stdout.Len() != 0 {
				t.Errorf("a failing command printed on stdout: %q", stdout.String())
			}
		})
	}
}
