//go:build unix

package sandbox

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReadDirAsOS lists directories as os.ReadDir does: the same names in
// the same order, the same types, and Info as Lstat gives it (a link's
// own mode and size, never its target's).
func TestReadDirAsOS(t *testing.T) {
	fsys := repo(t)
	root := fsys.real
	if err := syscall.Mkfifo(filepath.Join(root, "app", "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "app", "b.yaml"), "b: 1\n")
	write(t, filepath.Join(root, "app", "sub", "c.yaml"), "c: 1\n")
	for _, dir := range []string{".", "app", "shared", "app/sub"} {
		got, err := fsys.ReadDir(dir)
		if err != nil {
			t.Fatalf("ReadDir(%s): %v", dir, err)
		}
		want, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("ReadDir(%s): %d entries, os.ReadDir %d", dir, len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.Name() != w.Name() || g.Type() != w.Type() || g.IsDir() != w.IsDir() {
				t.Errorf("ReadDir(%s)[%d] = %s %v, os.ReadDir %s %v", dir, i, g.Name(), g.Type(), w.Name(), w.Type())
				continue
			}
			gi, err := g.Info()
			if err != nil {
				t.Fatalf("%s/%s: Info: %v", dir, g.Name(), err)
			}
			wi, err := w.Info()
			if err != nil {
				t.Fatal(err)
			}
			if gi.Name() != wi.Name() || gi.Mode() != wi.Mode() || gi.Size() != wi.Size() {
				t.Errorf("%s/%s: Info %v %d bytes, os %v %d", dir, g.Name(), gi.Mode(), gi.Size(), wi.Mode(), wi.Size())
			}
		}
	}
	if _, err := fsys.ReadDir("../" + filepath.Base(root)); err == nil {
		t.Error("ReadDir of a path that is not valid in an fs.FS succeeded")
	}
	if _, err := fsys.ReadDir("app/outside-dir"); err == nil {
		t.Error("ReadDir through a link to a directory outside the root succeeded")
	}
}

// TestOpenFIFO opens a FIFO in the repository without waiting for a
// writer, and reads it as empty.
func TestOpenFIFO(t *testing.T) {
	fsys := repo(t)
	if err := syscall.Mkfifo(filepath.Join(fsys.real, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := fsys.Open("fifo.yaml")
		if err == nil {
			var fi fs.FileInfo
			if fi, err = f.Stat(); err == nil && fi.Mode()&fs.ModeNamedPipe == 0 {
				t.Errorf("fifo.yaml: mode %v, want a named pipe", fi.Mode())
			}
			var b []byte
			if b, err = io.ReadAll(f); err == nil && len(b) != 0 {
				t.Errorf("fifo.yaml: read %q, want nothing", b)
			}
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("opening a FIFO in the repository waited for a writer")
	}
}
