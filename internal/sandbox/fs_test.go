package sandbox

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookgen/hookgen/transform"
)

// repo builds a repository with a shared file, a secret outside it and
// links of every kind to both, and opens it.
func repo(t *testing.T) *FS {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	write(t, outside, "leaked")
	write(t, filepath.Join(root, "shared", "common.yaml"), "common")
	links := map[string]string{
		"app/relative.yaml":         "../shared/common.yaml",
		"app/absolute.yaml":         filepath.Join(root, "shared", "common.yaml"),
		"app/absolute-dir":          filepath.Join(root, "shared"),
		"app/outside.yaml":          outside,
		"app/outside-relative.yaml": relTo(t, filepath.Join(root, "app"), outside),
		"app/outside-dir":           filepath.Dir(outside),
	}
	for name, target := range links {
		if err := os.MkdirAll(filepath.Join(root, "app"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	fsys, closeFS, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeFS() })
	return fsys
}

func relTo(t *testing.T, base, target string) string {
	t.Helper()
	rel, err := filepath.Rel(base, target)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLinksInside checks that a link that stays inside the root reads
// through, written relatively or absolutely (as Argo CD 2.x unpacks a
// repository), and that an absolute one reads back as the relative link.
func TestLinksInside(t *testing.T) {
	fsys := repo(t)
	for _, name := range []string{"app/relative.yaml", "app/absolute.yaml", "app/absolute-dir/common.yaml"} {
		b, err := fsys.ReadFile(name)
		if err != nil || string(b) != "common" {
			t.Errorf("ReadFile(%s) = %q, %v; want \"common\"", name, b, err)
		}
		if fi, err := fsys.Stat(name); err != nil || fi.Size() != int64(len("common")) {
			t.Errorf("Stat(%s) = %v, %v", name, fi, err)
		}
		f, err := fsys.Open(name)
		if err != nil {
			t.Errorf("Open(%s): %v", name, err)
		} else {
			f.Close()
		}
	}
	if es, err := fsys.ReadDir("app/absolute-dir"); err != nil || len(es) != 1 || es[0].Name() != "common.yaml" {
		t.Errorf("ReadDir(app/absolute-dir) = %v, %v", es, err)
	}
	for name, want := range map[string]string{"app/relative.yaml": "../shared/common.yaml", "app/absolute.yaml": "../shared/common.yaml", "app/absolute-dir": "../shared"} {
		if got, err := fsys.ReadLink(name); err != nil || got != want {
			t.Errorf("ReadLink(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
	if fi, err := fsys.Lstat("app/absolute.yaml"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(app/absolute.yaml) = %v, %v; want the link itself", fi, err)
	}
}

// TestLinksOutside checks that every way out is refused with
// transform.ErrOutsideRoot and reads nothing.
func TestLinksOutside(t *testing.T) {
	fsys := repo(t)
	for _, name := range []string{"app/outside.yaml", "app/outside-relative.yaml", "app/outside-dir/secret.yaml"} {
		b, err := fsys.ReadFile(name)
		if !errors.Is(err, transform.ErrOutsideRoot) || len(b) != 0 {
			t.Errorf("ReadFile(%s) = %q, %v; want %v", name, b, err, transform.ErrOutsideRoot)
		}
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != name {
			t.Errorf("ReadFile(%s): %v; want a *fs.PathError naming the path", name, err)
		}
		if _, err := fsys.Stat(name); !errors.Is(err, transform.ErrOutsideRoot) {
			t.Errorf("Stat(%s): %v; want %v", name, err, transform.ErrOutsideRoot)
		}
		if f, err := fsys.Open(name); !errors.Is(err, transform.ErrOutsideRoot) {
			if f != nil {
				f.Close()
			}
			t.Errorf("Open(%s): %v; want %v", name, err, transform.ErrOutsideRoot)
		}
	}
	if _, err := fsys.ReadDir("app/outside-dir"); !errors.Is(err, transform.ErrOutsideRoot) {
		t.Errorf("ReadDir(app/outside-dir): %v; want %v", err, transform.ErrOutsideRoot)
	}
	if b, err := fsys.ReadFile("../secret.yaml"); !errors.Is(err, fs.ErrInvalid) || len(b) != 0 {
		t.Errorf("ReadFile(../secret.yaml) = %q, %v; want %v", b, err, fs.ErrInvalid)
	}
	// The link itself may be looked at; it is what it points to that stays out.
	if got, err := fsys.ReadLink("app/outside.yaml"); err != nil || !filepath.IsAbs(got) {
		t.Errorf("ReadLink(app/outside.yaml) = %q, %v; want the absolute target as it is", got, err)
	}
}

// TestOpenInDirectories opens files in more directories than Open keeps
// roots for: every file reads right, through a directory's root or
// through the repository's, and no more than maxDirs stay open.
func TestOpenInDirectories(t *testing.T) {
	fsys := repo(t)
	for i := range maxDirs + 6 {
		write(t, filepath.Join(fsys.real, fmt.Sprintf("d%03d", i), "m.yaml"), fmt.Sprintf("i: %d\n", i))
	}
	for round := range 2 {
		for i := range maxDirs + 6 {
			f, err := fsys.Open(fmt.Sprintf("d%03d/m.yaml", i))
			var b []byte
			if err == nil {
				b, err = io.ReadAll(f)
				f.Close()
			}
			if err != nil || string(b) != fmt.Sprintf("i: %d\n", i) {
				t.Fatalf("round %d, d%03d/m.yaml: %q, %v", round, i, b, err)
			}
		}
	}
	if n := len(fsys.dirs); n != maxDirs {
		t.Errorf("%d directory roots kept, want %d", n, maxDirs)
	}
	if _, err := fsys.Open("d000/../../x.yaml"); err == nil {
		t.Error("a path with .. opened")
	}
}
