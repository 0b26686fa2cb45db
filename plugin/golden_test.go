package plugin

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files (expected.yaml, errors.txt) from the current output")

// goldenEnv is the environment every golden case starts from; a case's
// env file adds to it and overrides it.
var goldenEnv = map[string]string{
	"HOOKGEN_RUNNER_IMAGE": "ghcr.io/hookgen/hookgen:v0.1.0",
	// No platform config unless the case brings one.
	"HOOKGEN_CONFIG_DIR": "",
}

// A golden case is a directory under ../testdata:
//
//	env            KEY=value lines: Argo CD's build env (ARGOCD_APP_*,
//	               ARGOCD_ENV_*); ARGOCD_APP_SOURCE_PATH picks the app
//	               directory inside repo/
//	repo/          the repository
//	config/        the sidecar's config directory (optional)
//	expected.yaml  the output, for a case that succeeds
//	errors.txt     stderr, for a case that fails (exit code 1, no output)
//	notes.txt      stderr, for a case that succeeds with notes (optional)
//	README.md      what the case shows
type goldenCase struct {
	name, dir string
	env       map[string]string
}

func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "*", "repo"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no golden cases under ../testdata")
	}
	var out []goldenCase
	for _, repo := range dirs {
		dir := filepath.Dir(repo)
		c := goldenCase{name: filepath.Base(dir), dir: dir, env: map[string]string{}}
		for k, v := range goldenEnv {
			c.env[k] = v
		}
		if data, err := os.ReadFile(filepath.Join(dir, "env")); err == nil {
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				k, v, ok := strings.Cut(line, "=")
				if !ok {
					t.Fatalf("%s/env: %q is not KEY=value", dir, line)
				}
				c.env[k] = v
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "config")); err == nil {
			abs, _ := filepath.Abs(filepath.Join(dir, "config"))
			c.env["HOOKGEN_CONFIG_DIR"] = abs
		}
		out = append(out, c)
	}
	return out
}

// appDir is where Argo CD would run the plugin for the case.
func (c goldenCase) appDir() string {
	abs, _ := filepath.Abs(filepath.Join(c.dir, "repo", filepath.FromSlash(c.env["ARGOCD_APP_SOURCE_PATH"])))
	return abs
}

// environ returns the env as entries, sorted or reversed.
func (c goldenCase) environ(reverse bool) []string {
	var out []string
	for k, v := range c.env {
		if v == "" && k == "HOOKGEN_CONFIG_DIR" {
			continue
		}
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	if reverse {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// TestGolden runs `hookgen generate` on every case in-process and compares
// stdout and stderr with the golden files. Each case runs three times and
// the bytes must not change: Go starts every map iteration at a random
// place, so output that depended on map order would differ between runs.
// (The environment's order cannot matter: Main reads it into a map first.
// The second run gets it reversed so that it stays so.)
func TestGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var first []byte
			for i := 0; i < 3; i++ {
				var stdout, stderr bytes.Buffer
				code := Main([]string{"generate", "--dir", c.appDir()}, c.environ(i%2 == 1), &stdout, &stderr)
				got := checkGolden(t, c, code, stdout.Bytes(), stderr.Bytes(), i == 0)
				if i == 0 {
					first = got
				} else if !bytes.Equal(first, got) {
					t.Fatalf("run %d printed different bytes than run 1", i+1)
				}
			}
		})
	}
}

// checkGolden compares one run's result with the case's golden file and
// returns what it compared.
func checkGolden(t *testing.T, c goldenCase, code int, stdout, stderr []byte, mayUpdate bool) []byte {
	t.Helper()
	expected := filepath.Join(c.dir, "expected.yaml")
	errorsFile := filepath.Join(c.dir, "errors.txt")
	notesFile := filepath.Join(c.dir, "notes.txt")
	if *update && mayUpdate {
		os.Remove(expected)
		os.Remove(errorsFile)
		os.Remove(notesFile)
		if code == ExitOK {
			writeFile(t, expected, stdout)
			if len(stderr) > 0 {
				writeFile(t, notesFile, stderr)
			}
		} else {
			writeFile(t, errorsFile, stderr)
		}
	}
	if _, err := os.Stat(errorsFile); err == nil {
		want := readFile(t, errorsFile)
		if code != ExitProblems {
			t.Errorf("exit code %d, want %d; stderr:\n%s", code, ExitProblems, stderr)
		}
		if len(stdout) != 0 {
			t.Errorf("a failing run printed %d bytes on stdout; it must print nothing", len(stdout))
		}
		if !bytes.Equal(stderr, want) {
			t.Errorf("stderr differs from %s (run with -update to accept):\n--- got\n%s--- want\n%s", errorsFile, stderr, want)
		}
		return stderr
	}
	want := readFile(t, expected)
	if code != ExitOK {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr)
	}
	var notes []byte
	if _, err := os.Stat(notesFile); err == nil {
		notes = readFile(t, notesFile)
	}
	if !bytes.Equal(stderr, notes) {
		t.Errorf("a successful run printed on stderr other than %s:\n%s", notesFile, stderr)
	}
	if !bytes.Equal(stdout, want) {
		t.Errorf("output differs from %s (run with -update to accept):\n%s", expected, diff(string(want), string(stdout)))
	}
	return stdout
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("read golden file: %v (run with -update to create it)", err)
	}
	return b
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// diff shows the first lines where two texts differ.
func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "first difference at line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(texts differ only in trailing bytes)"
}

// TestParametersGolden runs `hookgen parameters` for every case that has a
// parameters.json, with the reduced environment Argo CD gives parameter
// announcements: no namespace, revision, project or cluster version.
func TestParametersGolden(t *testing.T) {
	n := 0
	for _, c := range goldenCases(t) {
		file := filepath.Join(c.dir, "parameters.json")
		if _, err := os.Stat(file); err != nil {
			continue
		}
		n++
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"ARGOCD_APP_NAMESPACE", "ARGOCD_APP_REVISION", "ARGOCD_APP_REVISION_SHORT", "ARGOCD_APP_PROJECT_NAME", "KUBE_VERSION", "ARGOCD_APP_PARAMETERS"} {
				delete(c.env, k)
			}
			var stdout, stderr bytes.Buffer
			if code := Main([]string{"parameters", "--dir", c.appDir()}, c.environ(false), &stdout, &stderr); code != ExitOK {
				t.Fatalf("exit code %d: %s", code, stderr.String())
			}
			if *update {
				writeFile(t, file, stdout.Bytes())
			}
			if want := readFile(t, file); !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("parameters differ from %s:\n--- got\n%s--- want\n%s", file, stdout.Bytes(), want)
			}
		})
	}
	if n == 0 {
		t.Fatal("no case has a parameters.json")
	}
}
