package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustFS shows the repository to kustomize as a read-only
// filesys.FileSystem rooted at "/": the repository root is "/", an app in
// apps/api is "/apps/api". Every read goes through the run's reader, so
// the limits hold and nothing outside the repository can be reached: the
// fs.FS the caller passes refuses any path (or symlink) that leaves it.
//
// Symlinks are resolved the way kustomize's on-disk file system resolves
// them (filepath.EvalSymlinks) when the fs.FS can read links
// (fs.ReadLinkFS), so kustomize's load restrictor sees the same real
// paths as `kustomize build` does.
type kustFS struct {
	r *yamlio.Reader
	// inspect looks at every file kustomize reads before kustomize sees
	// it; an error stops the read (remote bases, Helm charts).
	inspect func(name string, data []byte) error
	// resolved caches evalSymlinks by virtual path.
	resolved map[string]string
}

var _ filesys.FileSystem = (*kustFS)(nil)

var errReadOnly = errors.New("hookgen shows kustomize the repository read-only")

// maxLinks bounds symlink resolution, like the kernel's ELOOP.
const maxLinks = 40

// fsPath turns a virtual path into an fs.FS path: "/" → ".", "/a/b" → "a/b".
// Relative paths are taken from the root.
func fsPath(p string) string {
	p = path.Clean("/" + filepath.ToSlash(p))
	if p == "/" {
		return "."
	}
	return p[1:]
}

// virtual turns an fs.FS path into a virtual one: "." → "/", "a/b" → "/a/b".
func virtual(name string) string {
	if name == "." {
		return "/"
	}
	return "/" + name
}

// evalSymlinks resolves every symlink in a virtual path and returns the
// real virtual path; like filepath.EvalSymlinks, it fails when a part of
// the path does not exist.
func (k *kustFS) evalSymlinks(p string) (string, error) {
	p = path.Clean("/" + filepath.ToSlash(p))
	if r, ok := k.resolved[p]; ok {
		return r, nil
	}
	rl, ok := k.r.FS.(fs.ReadLinkFS)
	if !ok {
		if _, err := fs.Stat(k.r.FS, fsPath(p)); err != nil {
			return "", err
		}
		return p, nil
	}
	if k.resolved == nil {
		k.resolved = map[string]string{}
	}
	done := "/"
	rest := strings.Split(strings.TrimPrefix(p, "/"), "/")
	links := 0
	for len(rest) > 0 {
		part := rest[0]
		rest = rest[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			done = path.Dir(done)
			continue
		}
		next := path.Join(done, part)
		if r, ok := k.resolved[next]; ok {
			done = r
			continue
		}
		fi, err := rl.Lstat(fsPath(next))
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			k.resolved[next] = next
			done = next
			continue
		}
		if links++; links > maxLinks {
			return "", &fs.PathError{Op: "evalsymlinks", Path: fsPath(p), Err: errors.New("too many links")}
		}
		target, err := rl.ReadLink(fsPath(next))
		if err != nil {
			return "", err
		}
		if path.IsAbs(filepath.ToSlash(target)) {
			return "", &fs.PathError{Op: "evalsymlinks", Path: fsPath(next), Err: yamlio.ErrOutsideRoot}
		}
		if escapes(path.Join(fsPath(done), filepath.ToSlash(target))) {
			return "", &fs.PathError{Op: "evalsymlinks", Path: fsPath(next), Err: yamlio.ErrOutsideRoot}
		}
		rest = append(strings.Split(filepath.ToSlash(target), "/"), rest...)
	}
	k.resolved[p] = done
	return done, nil
}

// escapes reports whether a cleaned relative path climbs above the root.
func escapes(rel string) bool {
	rel = path.Clean(rel)
	return rel == ".." || strings.HasPrefix(rel, "../")
}

// problem records a read failure kustomize will also see; only escapes
// from the repository are reported by hookgen itself (kustomize names
// missing files in its own words).
func (k *kustFS) problem(p string, err error) error {
	if errors.Is(err, yamlio.ErrOutsideRoot) {
		k.r.Fail(fsPath(p), err)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		// Name the file as kustomize does, by its path from the root,
		// and the operation without os.Root's "at" suffix.
		return &fs.PathError{Op: strings.TrimSuffix(pe.Op, "at"), Path: virtual(fsPath(pe.Path)), Err: pe.Err}
	}
	return err
}

// CleanedAbs mirrors kustomize's on-disk file system: the path with every
// symlink resolved, split into its directory and file name ("" when the
// whole path is a directory).
func (k *kustFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	real, err := k.evalSymlinks(p)
	if err != nil {
		return "", "", fmt.Errorf("evalsymlink failure on '%s' : %w", p, k.problem(p, err))
	}
	if k.IsDir(real) {
		return filesys.ConfirmedDir(real), "", nil
	}
	return filesys.ConfirmedDir(path.Dir(real)), path.Base(real), nil
}

func (k *kustFS) stat(p string) (fs.FileInfo, error) {
	fi, err := fs.Stat(k.r.FS, fsPath(p))
	if err != nil {
		return nil, k.problem(p, err)
	}
	return fi, nil
}

// Exists reports whether the path exists in the repository.
func (k *kustFS) Exists(p string) bool {
	_, err := k.stat(p)
	return err == nil
}

// IsDir reports whether the path is a directory of the repository.
func (k *kustFS) IsDir(p string) bool {
	fi, err := k.stat(p)
	return err == nil && fi.IsDir()
}

// ReadDir lists a directory's entries by name.
func (k *kustFS) ReadDir(p string) ([]string, error) {
	es, err := fs.ReadDir(k.r.FS, fsPath(p))
	if err != nil {
		return nil, k.problem(p, err)
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name()
	}
	return out, nil
}

// ReadFile reads a regular file within the run's limits.
func (k *kustFS) ReadFile(p string) ([]byte, error) {
	fi, err := k.stat(p)
	if err != nil {
		return nil, err
	}
	return k.readInfo(p, fi)
}

// readInfo reads the file at p, whose info the caller has just taken,
// within the run's limits: one stat per file read.
func (k *kustFS) readInfo(p string, fi fs.FileInfo) ([]byte, error) {
	if fi.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: p, Err: errors.New("is a directory")}
	}
	name := fsPath(p)
	data, ok := k.r.ReadInfo(name, fi)
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: p, Err: errors.New("not read (see the problems reported for it)")}
	}
	if k.inspect != nil {
		if err := k.inspect(name, data); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// Open opens a file for reading; its content is read once, within limits.
func (k *kustFS) Open(p string) (filesys.File, error) {
	fi, err := k.stat(p)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return &kustFile{fi: fi}, nil
	}
	data, err := k.readInfo(p, fi)
	if err != nil {
		return nil, err
	}
	return &kustFile{fi: fi, data: data}, nil
}

// Glob matches a pattern against the repository, leaving hidden files out
// unless the pattern names them, as kustomize's own Glob does.
func (k *kustFS) Glob(pattern string) ([]string, error) {
	matches, err := fs.Glob(k.r.FS, fsPath(pattern))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(matches))
	for _, m := range matches {
		out = append(out, virtual(m))
	}
	if filesys.IsHiddenFilePath(pattern) {
		return out, nil
	}
	return filesys.RemoveHiddenFiles(out), nil
}

// Walk walks a directory tree of the repository.
func (k *kustFS) Walk(p string, walkFn filepath.WalkFunc) error {
	return fs.WalkDir(k.r.FS, fsPath(p), func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return walkFn(virtual(name), nil, k.problem(virtual(name), err))
		}
		fi, err := d.Info()
		return walkFn(virtual(name), fi, err)
	})
}

// Writes are refused: a build only reads.

func (k *kustFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (k *kustFS) Mkdir(string) error                  { return errReadOnly }
func (k *kustFS) MkdirAll(string) error               { return errReadOnly }
func (k *kustFS) RemoveAll(string) error              { return errReadOnly }
func (k *kustFS) WriteFile(string, []byte) error      { return errReadOnly }

// kustFile is an opened file: its content, read once.
type kustFile struct {
	fi   fs.FileInfo
	data []byte
	off  int
}

func (f *kustFile) Read(p []byte) (int, error) {
	if f.off >= len(f.data) {
		return 0, io.EOF
	}
	n := copy(p, f.data[f.off:])
	f.off += n
	return n, nil
}

func (f *kustFile) Write([]byte) (int, error)  { return 0, errReadOnly }
func (f *kustFile) Close() error               { return nil }
func (f *kustFile) Stat() (os.FileInfo, error) { return f.fi, nil }
