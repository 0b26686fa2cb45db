package golden

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// Updating reports whether the test binary runs with -update.
func Updating() bool { return *update }

// RunnerImage is the sidecar's HOOKGEN_RUNNER_IMAGE in every golden case
// unless its env file sets another.
const RunnerImage = "ghcr.io/hookgen/hookgen:v0.1.0"

// The files of a case.
const (
	ExpectedFile   = "expected.yaml"
	ErrorsFile     = "errors.txt"
	NotesFile      = "notes.txt"
	ParametersFile = "parameters.json"
)

// Case is one golden case.
type Case struct {
	Name string
	// Dir is <testdata>/<name>, as the testdata directory was given.
	Dir string
	// AppPath is ARGOCD_APP_SOURCE_PATH ("." when unset): the application
	// directory inside the repository.
	AppPath string
	// ArgoEnv is what the repo-server sends: every entry of the env file
	// except the sidecar's own HOOKGEN_* settings, sorted.
	ArgoEnv []string
	// Sidecar is the sidecar's environment: HOOKGEN_RUNNER_IMAGE,
	// HOOKGEN_CONFIG_DIR (config/ as an absolute path, or "" for none),
	// and any HOOKGEN_* entry of the env file, sorted.
	Sidecar []string
}

// Cases reads every directory of testdata that has a repo/, in name order.
func Cases(testdata string) ([]Case, error) {
	dirs, err := filepath.Glob(filepath.Join(testdata, "*", "repo"))
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, repo := range dirs {
		c, err := Read(filepath.Dir(repo))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no golden cases under %s", testdata)
	}
	return out, nil
}

// Read reads the case in dir: its env file and config/.
func Read(dir string) (Case, error) {
	c := Case{Name: filepath.Base(dir), Dir: dir, AppPath: "."}
	sidecar := map[string]string{"HOOKGEN_RUNNER_IMAGE": RunnerImage, "HOOKGEN_CONFIG_DIR": ""}
	data, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return c, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return c, fmt.Errorf("%s/env: %q is not KEY=value", dir, line)
		}
		if strings.HasPrefix(k, "HOOKGEN_") {
			sidecar[k] = v
			continue
		}
		if k == "ARGOCD_APP_SOURCE_PATH" && v != "" {
			c.AppPath = v
		}
		c.ArgoEnv = append(c.ArgoEnv, line)
	}
	sort.Strings(c.ArgoEnv)
	if fi, err := os.Stat(filepath.Join(dir, "config")); err == nil && fi.IsDir() {
		abs, err := filepath.Abs(filepath.Join(dir, "config"))
		if err != nil {
			return c, err
		}
		sidecar["HOOKGEN_CONFIG_DIR"] = abs
	}
	for k, v := range sidecar {
		c.Sidecar = append(c.Sidecar, k+"="+v)
	}
	sort.Strings(c.Sidecar)
	return c, nil
}

// RepoDir is the case's repository, as a path under Dir.
func (c Case) RepoDir() string { return filepath.Join(c.Dir, "repo") }

// File is the path of one of the case's files.
func (c Case) File(name string) string { return filepath.Join(c.Dir, name) }

// Env returns the value of an Argo CD variable of the case.
func (c Case) Env(key string) string {
	for _, e := range c.ArgoEnv {
		if k, v, _ := strings.Cut(e, "="); k == key {
			return v
		}
	}
	return ""
}

// Outcome is what a run of hookgen generate printed, or what a case
// expects it to print.
type Outcome struct {
	// OK is a successful run: exit code 0. A failing run exits with 1
	// and prints nothing on stdout.
	OK             bool
	Stdout, Stderr []byte
}

// Want reads the outcome the case expects: errors.txt as stderr when the
// case has one, else expected.yaml as stdout and notes.txt (if any) as
// stderr.
func (c Case) Want() (Outcome, error) {
	if b, err := os.ReadFile(c.File(ErrorsFile)); err == nil {
		return Outcome{Stderr: b}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Outcome{}, err
	}
	out, err := ReadFile(c.File(ExpectedFile))
	if err != nil {
		return Outcome{}, fmt.Errorf("%s has neither %s nor %s: %w", c.Dir, ExpectedFile, ErrorsFile, err)
	}
	o := Outcome{OK: true, Stdout: out}
	if b, err := os.ReadFile(c.File(NotesFile)); err == nil {
		o.Stderr = b
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Outcome{}, err
	}
	return o, nil
}

// Record replaces the case's outcome files with one run's: expected.yaml,
// and notes.txt when it printed on stderr, for a run that succeeded;
// errors.txt for one that failed.
func (c Case) Record(got Outcome) error {
	for _, name := range []string{ExpectedFile, ErrorsFile, NotesFile} {
		if err := os.Remove(c.File(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if !got.OK {
		return os.WriteFile(c.File(ErrorsFile), got.Stderr, 0o644)
	}
	if err := os.WriteFile(c.File(ExpectedFile), got.Stdout, 0o644); err != nil {
		return err
	}
	if len(got.Stderr) > 0 {
		return os.WriteFile(c.File(NotesFile), got.Stderr, 0o644)
	}
	return nil
}

// ReadFile reads a golden file; the error for a missing one says how to
// create it.
func ReadFile(name string) ([]byte, error) {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("golden file %s is missing (run go test with -update to create it)", name)
	}
	return b, err
}

// Check compares got with the golden file name and reports a difference
// on t; with -update it first writes got to the file.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if msg := Mismatch(name, got, want); msg != "" {
		t.Error(msg)
	}
}

// Mismatch returns "" when got and want are the same bytes, else a message
// that names the golden file and shows where they differ.
func Mismatch(name string, got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	msg := name + " differs (run go test with -update to accept an intended change):\n" + Diff(string(want), string(got))
	if bytes.Count(got, []byte("\n")) <= shortLines && bytes.Count(want, []byte("\n")) <= shortLines {
		msg += "\n--- got\n" + string(got) + "--- want\n" + string(want)
	}
	return msg
}

// shortLines is how long texts may be for Mismatch to show them whole.
const shortLines = 40

// Diff shows the first line where two texts differ, after up to three
// lines of context.
func Diff(want, got string) string {
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
			msg := "first difference at line " + strconv.Itoa(i+1) + ":\n"
			if from := max(0, i-3); from < i && i <= len(wl) {
				msg += "  context: " + strings.Join(wl[from:i], "\n           ") + "\n"
			}
			return msg + "  want: " + w + "\n  got:  " + g
		}
	}
	return "(texts differ only in trailing bytes)"
}
