package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/golden"
)

// A golden case is a directory under ../testdata (see internal/golden):
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
//
// env holds the whole environment of the plugin: Argo CD's and the
// sidecar's; HOOKGEN_CONFIG_DIR is "" for no platform config.
type goldenCase struct {
	golden.Case
	env map[string]string
}

func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	cases, err := golden.Cases(filepath.Join("..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenCase
	for _, gc := range cases {
		c := goldenCase{Case: gc, env: map[string]string{}}
		for _, e := range append(append([]string{}, gc.ArgoEnv...), gc.Sidecar...) {
			k, v, _ := strings.Cut(e, "=")
			c.env[k] = v
		}
		out = append(out, c)
	}
	return out
}

// appDir is where Argo CD would run the plugin for the case.
func (c goldenCase) appDir() string {
	abs, _ := filepath.Abs(filepath.Join(c.RepoDir(), filepath.FromSlash(c.AppPath)))
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
		t.Run(c.Name, func(t *testing.T) {
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
	if golden.Updating() && mayUpdate {
		if err := c.Record(golden.Outcome{OK: code == ExitOK, Stdout: stdout, Stderr: stderr}); err != nil {
			t.Fatal(err)
		}
	}
	want, err := c.Want()
	if err != nil {
		t.Fatal(err)
	}
	if !want.OK {
		if code != ExitProblems {
			t.Errorf("exit code %d, want %d; stderr:\n%s", code, ExitProblems, stderr)
		}
		if len(stdout) != 0 {
			t.Errorf("a failing run printed %d bytes on stdout; it must print nothing", len(stdout))
		}
		if msg := golden.Mismatch(c.File(golden.ErrorsFile), stderr, want.Stderr); msg != "" {
			t.Error(msg)
		}
		return stderr
	}
	if code != ExitOK {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", code, stderr)
	}
	if !bytes.Equal(stderr, want.Stderr) {
		t.Errorf("a successful run printed on stderr other than %s:\n%s", c.File(golden.NotesFile), stderr)
	}
	if msg := golden.Mismatch(c.File(golden.ExpectedFile), stdout, want.Stdout); msg != "" {
		t.Error(msg)
	}
	return stdout
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := golden.ReadFile(name)
	if err != nil {
		t.Fatal(err)
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
func diff(want, got string) string { return golden.Diff(want, got) }

// TestParametersGolden runs `hookgen parameters` for every case that has a
// parameters.json, with the reduced environment Argo CD gives parameter
// announcements: no namespace, revision, project or cluster version.
func TestParametersGolden(t *testing.T) {
	n := 0
	for _, c := range goldenCases(t) {
		file := c.File(golden.ParametersFile)
		if _, err := os.Stat(file); err != nil {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			for _, k := range []string{"ARGOCD_APP_NAMESPACE", "ARGOCD_APP_REVISION", "ARGOCD_APP_REVISION_SHORT", "ARGOCD_APP_PROJECT_NAME", "KUBE_VERSION", "ARGOCD_APP_PARAMETERS"} {
				delete(c.env, k)
			}
			var stdout, stderr bytes.Buffer
			if code := Main([]string{"parameters", "--dir", c.appDir()}, c.environ(false), &stdout, &stderr); code != ExitOK {
				t.Fatalf("exit code %d: %s", code, stderr.String())
			}
			golden.Check(t, file, stdout.Bytes())
		})
	}
	if n == 0 {
		t.Fatal("no case has a parameters.json")
	}
}
