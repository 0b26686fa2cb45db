package cmpserver_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// TestRelease checks Release against the argo-cd version each build's
// module in test/tools requires.
func TestRelease(t *testing.T) {
	root, err := tools.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		argo   cmpserver.Argo
		module string
	}{
		{cmpserver.ArgoV2, "github.com/argoproj/argo-cd/v2"},
		{cmpserver.ArgoV3, "github.com/argoproj/argo-cd/v3"},
	} {
		b, err := os.ReadFile(filepath.Join(root, "test", "tools", string(tc.argo), "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		want := tc.module + " " + tc.argo.Release()
		found := false
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
			if len(f) >= 2 && f[0]+" "+f[1] == want {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: Release() is %q, but test/tools/%s/go.mod does not require %s", tc.argo, tc.argo.Release(), tc.argo, want)
		}
	}
}
