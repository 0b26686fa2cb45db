package jobgen

import (
	"slices"
	"testing"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/runnerenv"
)

// TestRunnerEnvContract: a runner container gets exactly the variables of
// the runner contract (internal/runnerenv), in its order, each with a value
// of its own.
func TestRunnerEnvContract(t *testing.T) {
	app := hookspec.App{Name: "n", Namespace: "ns", Project: "p", Revision: "r", RevisionShort: "rs", RepoURL: "u", Path: "pa", TargetRevision: "t"}
	var names []string
	seen := map[string]string{}
	for _, e := range RunnerEnv {
		names = append(names, e.Name)
		v := e.Get(app, "hook", hookspec.PostSync, "https://argocd.example.com")
		if v == "" {
			t.Errorf("%s has no value for a complete context", e.Name)
		}
		if other, dup := seen[v]; dup {
			t.Errorf("%s and %s carry the same value %q", e.Name, other, v)
		}
		seen[v] = e.Name
	}
	if !slices.Equal(names, runnerenv.Names) {
		t.Errorf("runner containers get %q; the contract is %q", names, runnerenv.Names)
	}
}
