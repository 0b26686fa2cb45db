package argocd

import (
	"path/filepath"
	"testing"
)

func TestSplitRoot(t *testing.T) {
	for _, tc := range []struct {
		cwd, src, root, app string
	}{
		{"/tmp/_cmp_server/u1/apps/api", "apps/api", "/tmp/_cmp_server/u1", "apps/api"},
		{"/tmp/_cmp_server/u1/apps/api", "./apps/api/", "/tmp/_cmp_server/u1", "apps/api"},
		{"/tmp/_cmp_server/u1/apps/api", "/apps/api", "/tmp/_cmp_server/u1", "apps/api"},
		{"/tmp/_cmp_server/u1", ".", "/tmp/_cmp_server/u1", "."},
		{"/tmp/_cmp_server/u1", "", "/tmp/_cmp_server/u1", "."},
		{"/tmp/_cmp_server/u1/api", "apps/api", "/tmp/_cmp_server/u1/api", "."},             // a narrowed checkout
		{"/tmp/_cmp_server/u1/xapps/api", "apps/api", "/tmp/_cmp_server/u1/xapps/api", "."}, // not a path boundary
		{"/tmp/x/apps/api", "../apps/api", "/tmp/x/apps/api", "."},
		{"/tmp/x/apps/api", "apps/../../api", "/tmp/x/apps/api", "."},
	} {
		root, app := SplitRoot(filepath.FromSlash(tc.cwd), tc.src)
		if filepath.ToSlash(root) != tc.root || app != tc.app {
			t.Errorf("SplitRoot(%q, %q) = (%q, %q), want (%q, %q)", tc.cwd, tc.src, root, app, tc.root, tc.app)
		}
	}
}
