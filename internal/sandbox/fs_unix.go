//go:build unix

package sandbox

import (
	"io/fs"
	"os"
	"syscall"
)

// openFlags opens a repository's files non-blocking: Go then skips the two
// fcntl calls per file that put a descriptor into non-blocking mode and
// back (reads of regular files and directories are the same either way),
// and a FIFO in a repository cannot hold a read at its open.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK

// listEntries reads a directory opened through a root. An *os.File from
// a root lstats every entry as it lists it; a second descriptor of the
// same directory, outside the root's bookkeeping, gives each entry's type
// as the directory records it, with no call per entry: a listing reads
// names, and every file is still opened through the root. Info lstats
// through the root.
func listEntries(d *os.File, lstat func(string) (fs.FileInfo, error)) ([]fs.DirEntry, error) {
	dup, err := dupOf(d)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(dup), d.Name())
	defer f.Close()
	es, err := f.ReadDir(-1)
	for i, e := range es {
		es[i] = entry{e, lstat}
	}
	return es, err
}

// dupOf returns a second descriptor of f's, closed on exec, that f's
// bookkeeping does not know of.
func dupOf(f *os.File) (int, error) {
	sc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	dup, dupErr := -1, error(nil)
	if err := sc.Control(func(fd uintptr) { dup, dupErr = dupCloexec(int(fd)) }); err != nil {
		return -1, err
	}
	return dup, dupErr
}

func dupCloexec(fd int) (int, error) {
	nfd, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(nfd), nil
}

// entry is a directory entry whose Info comes through the root.
type entry struct {
	fs.DirEntry
	lstat func(string) (fs.FileInfo, error)
}

func (e entry) Info() (fs.FileInfo, error) { return e.lstat(e.Name()) }
