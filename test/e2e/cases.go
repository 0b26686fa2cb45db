package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultRunnerImage is the sidecar's HOOKGEN_RUNNER_IMAGE in the golden
// cases and in the install manifests.
const DefaultRunnerImage = "ghcr.io/hookgen/hookgen:v0.1.0"

// Case is one golden case under testdata/ (see plugin/golden_test.go):
// a repository, Argo CD's environment, the sidecar's config directory, and
// the expected output or errors.
type Case struct {
	Name string
	// Dir is testdata/<name>.
	Dir string
	// Repo is the repository root, symlinks resolved (some cases link to
	// examples/), as the repo-server would stream it.
	Repo string
	// AppPath is ARGOCD_APP_SOURCE_PATH ("." when unset).
	AppPath string
	// ArgoEnv is what the repo-server sends: every entry of the env file
	// except the sidecar's own HOOKGEN_* settings, sorted.
	ArgoEnv []string
	// Sidecar is the sidecar's environment: HOOKGEN_RUNNER_IMAGE,
	// HOOKGEN_CONFIG_DIR (config/, or "" for the default), and any
	// HOOKGEN_* entry of the env file, sorted.
	Sidecar []string
	// Expected is expected.yaml of a successful case; Errors is errors.txt
	// of a failing one; Parameters is parameters.json, if any.
	Expected, Errors, Parameters []byte
}

// OK reports whether the case succeeds.
func (c Case) OK() bool { return c.Errors == nil }

// AppDir is the application directory inside Repo.
func (c Case) AppDir() string { return filepath.Join(c.Repo, filepath.FromSlash(c.AppPath)) }

// Env returns the value of an Argo CD variable of the case.
func (c Case) Env(key string) string {
	for _, e := range c.ArgoEnv {
		if k, v, _ := strings.Cut(e, "="); k == key {
			return v
		}
	}
	return ""
}

// GoldenCases reads every directory of <root>/testdata that has a repo/.
func GoldenCases(root string) ([]Case, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "testdata", "*", "repo"))
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, repo := range dirs {
		c, err := readCase(filepath.Dir(repo))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no golden cases under %s/testdata", root)
	}
	return out, nil
}

func readCase(dir string) (Case, error) {
	c := Case{Name: filepath.Base(dir), Dir: dir, AppPath: "."}
	repo, err := filepath.EvalSymlinks(filepath.Join(dir, "repo"))
	if err != nil {
		return c, err
	}
	if c.Repo, err = filepath.Abs(repo); err != nil {
		return c, err
	}
	sidecar := map[string]string{"HOOKGEN_RUNNER_IMAGE": DefaultRunnerImage, "HOOKGEN_CONFIG_DIR": ""}
	if data, err := os.ReadFile(filepath.Join(dir, "env")); err == nil {
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
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil
		}
		return b
	}
	c.Expected, c.Errors, c.Parameters = read("expected.yaml"), read("errors.txt"), read("parameters.json")
	if c.Expected == nil && c.Errors == nil {
		return c, fmt.Errorf("%s has neither expected.yaml nor errors.txt", dir)
	}
	return c, nil
}
