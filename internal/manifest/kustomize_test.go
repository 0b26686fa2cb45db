package manifest

import (
	"testing"
)

func TestIsGitURL(t *testing.T) {
	for s, want := range map[string]bool{
		"github.com/acme/x":           true,
		"GitHub.com:acme/x":           true,
		"git@host:acme/x.git":         true,
		"ssh://host/acme/x":           true,
		"git::https://host/x.git":     true,
		"file:///srv/repo.git":        true,
		"../base":                     false,
		"base":                        false,
		"team@v2.yaml":                true, // a file of that name is looked up first
		"c:/x":                        false,
		"gitlab.example.com/acme/x":   false,
		"overlays/github.com/x/y.yml": false,
	} {
		if got := IsGitURL(s); got != want {
			t.Errorf("isGitURL(%q) = %v, want %v", s, got, want)
		}
	}
}
