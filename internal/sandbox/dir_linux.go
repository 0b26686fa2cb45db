package sandbox

import (
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// dirHandle is a descriptor of a directory of the repository, opened
// through the root. Its files open with openat(2), refusing a link in the
// last component (O_NOFOLLOW), so nothing leaves the directory; a link is
// the root's to follow or refuse (openInDir).
//
// The files are read through the descriptor itself, not an *os.File: Go
// tries to add every file it opens to its network poller, one epoll_ctl
// call that a regular file always refuses, and registers a cleanup per
// file. Reading the files of an application of 1,000 ConfigMaps this way
// takes 0.95 of the time of the whole generate (interleaved pairs,
// either order); rawFile and rawInfo give what *os.File and its
// FileInfo give (TestRawFileAsOS).
type dirHandle struct {
	fd     int
	opened bool
}

func openDir(root *os.Root, dir string) dirHandle {
	f, err := root.Open(dir)
	if err != nil {
		return dirHandle{}
	}
	defer f.Close()
	fd, err := dupOf(f)
	if err != nil {
		return dirHandle{}
	}
	return dirHandle{fd: fd, opened: true}
}

func (d dirHandle) ok() bool { return d.opened }

func (d dirHandle) close() {
	if d.opened {
		syscall.Close(d.fd)
	}
}

// open opens base in the directory, not following a link; nil on
// failure.
func (d dirHandle) open(base string) fs.File {
	for {
		fd, err := syscall.Openat(d.fd, base, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil
		}
		return &rawFile{fd: fd, name: base}
	}
}

// rawFile is a file of the repository read through its descriptor.
type rawFile struct {
	fd   int
	name string
}

func (f *rawFile) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *rawFile) Close() error {
	if err := syscall.Close(f.fd); err != nil {
		return &fs.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

func (f *rawFile) Stat() (fs.FileInfo, error) {
	info := &rawInfo{name: f.name}
	for {
		err := syscall.Fstat(f.fd, &info.st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "stat", Path: f.name, Err: err}
		}
		return info, nil
	}
}

// rawInfo is an fstat(2) as os.Stat gives it.
type rawInfo struct {
	name string
	st   syscall.Stat_t
}

func (i *rawInfo) Name() string       { return i.name }
func (i *rawInfo) Size() int64        { return i.st.Size }
func (i *rawInfo) ModTime() time.Time { return time.Unix(i.st.Mtim.Unix()) }
func (i *rawInfo) IsDir() bool        { return i.Mode().IsDir() }
func (i *rawInfo) Sys() any           { return &i.st }

func (i *rawInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.st.Mode & 0o777)
	switch i.st.Mode & syscall.S_IFMT {
	case syscall.S_IFBLK:
		m |= fs.ModeDevice
	case syscall.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		m |= fs.ModeDir
	case syscall.S_IFIFO:
		m |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		m |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		m |= fs.ModeSocket
	}
	if i.st.Mode&syscall.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if i.st.Mode&syscall.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if i.st.Mode&syscall.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}
