package sandbox

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestRawFileAsOS opens files of every kind in a directory of the
// repository and checks that what the descriptor path gives (the file
// info, the content, the errors) is what os gives.
func TestRawFileAsOS(t *testing.T) {
	fsys := repo(t)
	dir := filepath.Join(fsys.real, "app", "kinds")
	write(t, filepath.Join(dir, "plain.yaml"), "a: 1\n")
	write(t, filepath.Join(dir, "empty.yaml"), "")
	for name, mode := range map[string]fs.FileMode{"setuid.yaml": fs.ModeSetuid | 0o750, "setgid.yaml": fs.ModeSetgid | 0o640, "sticky.yaml": fs.ModeSticky | 0o600, "none.yaml": 0} {
		write(t, filepath.Join(dir, name), "b: 2\n")
		if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("plain.yaml", filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if l, err := net.Listen("unix", filepath.Join(dir, "sock.yaml")); err == nil {
		defer l.Close()
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := "app/kinds/" + e.Name()
		path := filepath.Join(dir, e.Name())
		f, err := fsys.Open(name)
		if e.Type()&fs.ModeSocket != 0 {
			if err == nil {
				t.Errorf("%s: a socket opened", name)
				f.Close()
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Open: %v", name, err)
			continue
		}
		want, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		_, raw := f.(*rawFile)
		if raw == (e.Type()&fs.ModeSymlink != 0) {
			t.Errorf("%s: opened through the descriptor: %v (a link is the root's)", name, raw)
		}
		got, err := f.Stat()
		if err != nil {
			t.Fatalf("%s: Stat: %v", name, err)
		}
		if got.Name() != want.Name() || got.Size() != want.Size() || got.Mode() != want.Mode() ||
			!got.ModTime().Equal(want.ModTime()) || got.IsDir() != want.IsDir() {
			t.Errorf("%s: Stat %s %d %v %v %v, os.Stat %s %d %v %v %v", name,
				got.Name(), got.Size(), got.Mode(), got.ModTime(), got.IsDir(),
				want.Name(), want.Size(), want.Mode(), want.ModTime(), want.IsDir())
		}
		if _, ok := got.Sys().(*syscall.Stat_t); !ok {
			t.Errorf("%s: Sys is %T, os gives *syscall.Stat_t", name, got.Sys())
		}
		b, readErr := io.ReadAll(f)
		if want.Mode().IsRegular() {
			wantB, err := os.ReadFile(path)
			if readErr != nil || string(b) != string(wantB) || err != nil {
				t.Errorf("%s: read %q, %v; os %q, %v", name, b, readErr, wantB, err)
			}
		}
		if want.IsDir() {
			var pe *fs.PathError
			if !errors.As(readErr, &pe) || pe.Err != syscall.EISDIR || pe.Op != "read" {
				t.Errorf("%s: reading a directory: %v, want a read PathError of EISDIR", name, readErr)
			}
		}
		if err := f.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
		if raw {
			if err := f.Close(); err == nil {
				t.Errorf("%s: a second Close succeeded", name)
			}
		}
	}
	// Every directory's descriptor is closed with the FS.
	d, ok := fsys.dir("app/kinds")
	if !ok {
		t.Fatal("app/kinds has no descriptor")
	}
	fsys.close()
	var st syscall.Stat_t
	if err := syscall.Fstat(d.fd, &st); err != syscall.EBADF {
		t.Errorf("the directory's descriptor is still open after close: %v", err)
	}
}
