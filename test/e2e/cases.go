package e2e

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hookgen/hookgen/test/internal/golden"
)

// DefaultRunnerImage is the sidecar's HOOKGEN_RUNNER_IMAGE in the golden
// cases and in the install manifests.
const DefaultRunnerImage = golden.RunnerImage

// Case is one golden case under testdata/, read by the same package
// (internal/golden, linked into this module as test/internal/golden) that
// plugin's and the root's golden tests read: a repository, Argo CD's
// environment, the sidecar's config directory, and the expected output or
// errors.
type Case struct {
	golden.Case
	// Repo is the repository root, symlinks resolved (some cases link to
	// examples/), as the repo-server would stream it.
	Repo string
	// Expected is expected.yaml of a successful case; Errors is errors.txt
	// of a failing one; Parameters is parameters.json, if any.
	Expected, Errors, Parameters []byte
}

// OK reports whether the case succeeds.
func (c Case) OK() bool { return c.Errors == nil }

// AppDir is the application directory inside Repo.
func (c Case) AppDir() string { return filepath.Join(c.Repo, filepath.FromSlash(c.AppPath)) }

// GoldenCases reads every directory of <root>/testdata that has a repo/.
func GoldenCases(root string) ([]Case, error) {
	cases, err := golden.Cases(filepath.Join(root, "testdata"))
	if err != nil {
		return nil, err
	}
	out := make([]Case, 0, len(cases))
	for _, gc := range cases {
		c, err := withOutcome(gc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// withOutcome adds what the cmp-server needs and what the case expects.
func withOutcome(gc golden.Case) (Case, error) {
	c := Case{Case: gc}
	repo, err := filepath.EvalSymlinks(gc.RepoDir())
	if err != nil {
		return c, err
	}
	if c.Repo, err = filepath.Abs(repo); err != nil {
		return c, err
	}
	want, err := gc.Want()
	if err != nil {
		return c, err
	}
	if want.OK {
		c.Expected = want.Stdout
	} else {
		c.Errors = want.Stderr
	}
	if b, err := os.ReadFile(gc.File(golden.ParametersFile)); err == nil {
		c.Parameters = b
	} else if !errors.Is(err, fs.ErrNotExist) {
		return c, err
	}
	return c, nil
}
