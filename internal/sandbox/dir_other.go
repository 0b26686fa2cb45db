//go:build !linux

package sandbox

import (
	"io/fs"
	"os"
)

// dirHandle is a directory of the repository opened as a root of its own.
type dirHandle struct{ root *os.Root }

func openDir(root *os.Root, dir string) dirHandle {
	d, err := root.OpenRoot(dir)
	if err != nil {
		return dirHandle{}
	}
	return dirHandle{d}
}

func (d dirHandle) ok() bool { return d.root != nil }

func (d dirHandle) close() {
	if d.root != nil {
		d.root.Close()
	}
}

// open opens base in the directory, as the root does; nil on failure.
func (d dirHandle) open(base string) fs.File {
	f, err := d.root.OpenFile(base, openFlags, 0)
	if err != nil {
		return nil
	}
	return f
}
