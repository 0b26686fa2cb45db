package yamlio

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

// Reader reads files for one run, within the limits.
type Reader struct {
	FS       fs.FS
	Limits   Limits
	total    int64
	Problems *problem.Collector
	// Prefix is put before paths in messages ("" for the repository).
	Prefix string
	// OverLimit says a size limit was hit: what was read is not parsed.
	OverLimit bool
	// Aliases counts the nodes YAML aliases add over the run's manifests.
	Aliases AliasBudget
}

// Stat returns a file's info; ok=false with no problem when it is missing.
func (r *Reader) Stat(name string) (fs.FileInfo, bool) {
	fi, err := fs.Stat(r.FS, name)
	switch {
	case err == nil:
		return fi, true
	case errors.Is(err, fs.ErrNotExist):
		return nil, false
	}
	r.Fail(name, err)
	return nil, false
}

// Fail reports why name could not be read.
func (r *Reader) Fail(name string, err error) {
	pos := problem.Pos{File: r.Prefix + name}
	if errors.Is(err, ErrOutsideRoot) {
		r.Problems.Add(pos, "", "a symlink leads outside the repository; hookgen reads nothing outside it")
		return
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	r.Problems.Add(pos, "", "cannot read: %v", err)
}

// Read returns a regular file's content, or ok=false after reporting why
// not. A missing file is reported only when required.
func (r *Reader) Read(name string, required bool) ([]byte, bool) {
	fi, err := fs.Stat(r.FS, name)
	switch {
	case err == nil:
		return r.ReadInfo(name, fi)
	case errors.Is(err, fs.ErrNotExist):
		if required {
			r.Problems.Add(problem.Pos{File: r.Prefix + name}, "", "file not found")
		}
	default:
		r.Fail(name, err)
	}
	return nil, false
}

// ReadInfo reads a file whose info the caller already has, within the
// limits, or returns ok=false after reporting why not.
func (r *Reader) ReadInfo(name string, fi fs.FileInfo) ([]byte, bool) {
	return r.readOne(Listing{Name: name, Linked: fi})
}

// readOne reads one file as ReadBatch lists them, within the limits,
// or returns ok=false after reporting why not.
func (r *Reader) readOne(l Listing) ([]byte, bool) { return r.settle(l, r.fetch(l, r.fits)) }

// fits says whether size bytes more stay within max-total-bytes.
func (r *Reader) fits(size int64) bool { return r.total+size <= r.Limits.MaxTotalBytes }

// fetched is the input and output of reading one file, before the
// limits that depend on the files read before it are applied (settle).
type fetched struct {
	fi    fs.FileInfo
	data  []byte
	err   error // from opening, stating or reading
	read  bool  // data is the file's content
	early bool  // err came before the file could be checked (open, stat)
}

// fetch does a file's input: for a listed file it opens it and states
// what it opened; it reads the file when its type and size are allowed
// and reserve accepts its size. It reports nothing and changes nothing
// of r, so that fetches may run at once (ReadBatch).
func (r *Reader) fetch(l Listing, reserve func(int64) bool) fetched {
	if l.Linked != nil {
		out := fetched{fi: l.Linked}
		if r.fileOK(l.Linked) && reserve(l.Linked.Size()) {
			out.data, out.err = fs.ReadFile(r.FS, l.Name)
			out.read = out.err == nil
		}
		return out
	}
	f, err := r.FS.Open(l.Name)
	if err != nil {
		return fetched{err: err, early: true}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fetched{err: err, early: true}
	}
	out := fetched{fi: fi}
	if r.fileOK(fi) && reserve(fi.Size()) {
		// One byte more than the limit tells a file that grew past it; the
		// buffer is the file's size (and that byte) from the start.
		data := make([]byte, min(fi.Size(), r.Limits.MaxFileBytes)+1)
		n, err := io.ReadFull(f, data)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			out.err = err
		} else {
			out.data, out.read = data[:n], true
		}
	}
	return out
}

// settle applies the limits to a fetched file in the run's order and
// reports what went wrong, as reading the files one after another does;
// a file the fetch left unread for the total's sake is read here.
func (r *Reader) settle(l Listing, f fetched) ([]byte, bool) {
	if f.early {
		r.Fail(l.Name, f.err)
		return nil, false
	}
	if !r.allowed(l.Name, f.fi) {
		return nil, false
	}
	if !f.read && f.err == nil {
		// Left unread for the total's sake (ReadBatch), and within it here.
		f = r.fetch(l, func(int64) bool { return true })
		if f.early {
			r.Fail(l.Name, f.err)
			return nil, false
		}
		if !f.read && f.err == nil {
			r.allowed(l.Name, f.fi) // it changed since: say what it is now
			return nil, false
		}
	}
	if f.err != nil {
		r.Fail(l.Name, f.err)
		return nil, false
	}
	return r.count(l.Name, f.data)
}

// fileOK is the part of allowed that depends on the file alone.
func (r *Reader) fileOK(fi fs.FileInfo) bool {
	return fi.Mode().IsRegular() && fi.Size() <= r.Limits.MaxFileBytes
}

// allowed checks a file's type and size against the limits.
func (r *Reader) allowed(name string, fi fs.FileInfo) bool {
	pos := problem.Pos{File: r.Prefix + name}
	if !fi.Mode().IsRegular() {
		r.Problems.Add(pos, "", "not a regular file (%s); hookgen reads only regular files", fileKind(fi.Mode()))
		return false
	}
	if fi.Size() > r.Limits.MaxFileBytes {
		r.Problems.Add(pos, "", "file is %d bytes; the limit is %d (limit max-file-bytes)", fi.Size(), r.Limits.MaxFileBytes)
		r.OverLimit = true
		return false
	}
	if r.total+fi.Size() > r.Limits.MaxTotalBytes {
		r.Problems.Add(pos, "", "reading it would pass %d bytes in all (limit max-total-bytes)", r.Limits.MaxTotalBytes)
		r.OverLimit = true
		return false
	}
	return true
}

// count checks what was read against the limits and adds it to the total.
func (r *Reader) count(name string, data []byte) ([]byte, bool) {
	if int64(len(data)) > r.Limits.MaxFileBytes {
		r.Problems.Add(problem.Pos{File: r.Prefix + name}, "", "file is over %d bytes (limit max-file-bytes)", r.Limits.MaxFileBytes)
		r.OverLimit = true
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
