package transform

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/hookgen/hookgen/internal/problem"
)

// ErrOutsideRoot is the error a repository file system returns for a path
// that leads (through a symlink) outside its root. hookgen reads nothing
// outside the repository.
var ErrOutsideRoot = errors.New("leads outside the repository")

// reader reads files for one run, within the limits.
type reader struct {
	fsys  fs.FS
	lim   Limits
	total int64
	ps    *problem.Collector
	// prefix is put before paths in messages ("" for the repository).
	prefix string
	// overLimit says a size limit was hit: what was read is not parsed.
	overLimit bool
	// aliases counts the nodes YAML aliases add over the run's manifests.
	aliases aliasBudget
}

// stat returns a file's info; ok=false with no problem when it is missing.
func (r *reader) stat(name string) (fs.FileInfo, bool) {
	fi, err := fs.Stat(r.fsys, name)
	switch {
	case err == nil:
		return fi, true
	case errors.Is(err, fs.ErrNotExist):
		return nil, false
	}
	r.fail(name, err)
	return nil, false
}

func (r *reader) fail(name string, err error) {
	pos := problem.Pos{File: r.prefix + name}
	if errors.Is(err, ErrOutsideRoot) {
		r.ps.Add(pos, "", "a symlink leads outside the repository; hookgen reads nothing outside it")
		return
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	r.ps.Add(pos, "", "cannot read: %v", err)
}

// read returns a regular file's content, or ok=false after reporting why
// not. A missing file is reported only when required.
func (r *reader) read(name string, required bool) ([]byte, bool) {
	fi, err := fs.Stat(r.fsys, name)
	switch {
	case err == nil:
		return r.readInfo(name, fi)
	case errors.Is(err, fs.ErrNotExist):
		if required {
			r.ps.Add(problem.Pos{File: r.prefix + name}, "", "file not found")
		}
	default:
		r.fail(name, err)
	}
	return nil, false
}

// readInfo reads a file whose info the caller already has, within the
// limits, or returns ok=false after reporting why not.
func (r *reader) readInfo(name string, fi fs.FileInfo) ([]byte, bool) {
	if !r.allowed(name, fi) {
		return nil, false
	}
	data, err := fs.ReadFile(r.fsys, name)
	if err != nil {
		r.fail(name, err)
		return nil, false
	}
	return r.count(name, data)
}

// readListed reads a file its directory listing says is a regular file:
// it opens it once and checks what it opened, without a separate stat.
func (r *reader) readListed(name string) ([]byte, bool) {
	f, err := r.fsys.Open(name)
	if err != nil {
		r.fail(name, err)
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		r.fail(name, err)
		return nil, false
	}
	if !r.allowed(name, fi) {
		return nil, false
	}
	// One byte more than the limit tells a file that grew past it.
	data, err := io.ReadAll(io.LimitReader(f, min(fi.Size(), r.lim.MaxFileBytes)+1))
	if err != nil {
		r.fail(name, err)
		return nil, false
	}
	return r.count(name, data)
}

// allowed checks a file's type and size against the limits.
func (r *reader) allowed(name string, fi fs.FileInfo) bool {
	pos := problem.Pos{File: r.prefix + name}
	if !fi.Mode().IsRegular() {
		r.ps.Add(pos, "", "not a regular file (%s); hookgen reads only regular files", fileKind(fi.Mode()))
		return false
	}
	if fi.Size() > r.lim.MaxFileBytes {
		r.ps.Add(pos, "", "file is %d bytes; the limit is %d (limit max-file-bytes)", fi.Size(), r.lim.MaxFileBytes)
		r.overLimit = true
		return false
	}
	if r.total+fi.Size() > r.lim.MaxTotalBytes {
		r.ps.Add(pos, "", "reading it would pass %d bytes in all (limit max-total-bytes)", r.lim.MaxTotalBytes)
		r.overLimit = true
		return false
	}
	return true
}

// count checks what was read against the limits and adds it to the total.
func (r *reader) count(name string, data []byte) ([]byte, bool) {
	if int64(len(data)) > r.lim.MaxFileBytes {
		r.ps.Add(problem.Pos{File: r.prefix + name}, "", "file is over %d bytes (limit max-file-bytes)", r.lim.MaxFileBytes)
		r.overLimit = true
		return nil, false
	}
	r.total += int64(len(data))
	return data, true
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return fmt.Sprintf("mode %v", m)
}
