package sandbox

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/hookgen/hookgen/transform"
)

// FS is a read-only view of a directory that nothing (no "..", no
// symlink) can leave: os.Root enforces it, FS names the error.
//
// os.Root refuses every absolute symlink, but Argo CD 2.x's cmp-server
// (util/io/files.Untgz before v3.0) unpacks each symlink of the repository
// it is sent as an absolute link to the target's path in the unpacked copy:
// a shared manifest linked as ../shared/common.yaml arrives as
// /tmp/_cmp_server/<uuid>/shared/common.yaml. So a path os.Root refuses is
// resolved once more, and read through the root at its resolved place when
// that place is inside the root; anything that leads outside stays refused.
type FS struct {
	root *os.Root
	fsys fs.FS
	// real is the root's absolute path with symlinks resolved.
	real string

	mu   sync.Mutex
	dirs map[string]dirHandle // directories opened for Open (a closed one: could not)
}

// maxDirs bounds the directories Open keeps open (a descriptor each).
const maxDirs = 64

// Open opens dir as an FS. The returned func releases the directory.
func Open(dir string) (*FS, func() error, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	real, err := filepath.EvalSymlinks(dir)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	if err != nil {
		real = "" // no second chance: os.Root alone decides
	}
	f := &FS{root: r, fsys: r.FS(), real: real}
	return f, f.close, nil
}

func (r *FS) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.dirs {
		d.close()
	}
	r.dirs = nil
	return r.root.Close()
}

// Open, Stat, ReadFile and ReadDir read name inside the root; a path that
// leads outside fails with transform.ErrOutsideRoot.

func (r *FS) Open(name string) (fs.File, error) {
	if f := r.openInDir(name); f != nil {
		return f, nil
	}
	f, err := r.open(name)
	if rel, ok := r.retry(name, err); ok {
		if f2, err2 := r.open(rel); err2 == nil {
			return f2, nil
		}
	}
	if err != nil {
		return nil, outside(err)
	}
	return f, nil
}

// openInDir opens a file through its own directory, opened once (through
// the root) for all the directory's files: the repository's root walks
// every directory of a path on each open (an open and a close per
// directory), a directory's handle opens the file alone, never following
// a link. It returns nil on any failure, leaving the file to the
// repository's root, whose answer stands: a symlink, for one.
func (r *FS) openInDir(name string) fs.File {
	dir, base := path.Split(name)
	if dir == "" || !fs.ValidPath(name) {
		return nil
	}
	d, ok := r.dir(strings.TrimSuffix(dir, "/"))
	if !ok {
		return nil
	}
	return d.open(base)
}

// dir returns dir's handle, opened once; false when it cannot be, or
// when maxDirs are open already.
func (r *FS) dir(dir string) (dirHandle, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.dirs[dir]; ok {
		return d, d.ok()
	}
	if len(r.dirs) >= maxDirs {
		return dirHandle{}, false
	}
	d := openDir(r.root, dir)
	if r.dirs == nil {
		r.dirs = map[string]dirHandle{}
	}
	r.dirs[dir] = d
	return d, d.ok()
}

// open opens name as the root's fs.FS does, with openFlags.
func (r *FS) open(name string) (*os.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return r.root.OpenFile(name, openFlags, 0)
}

func (r *FS) Stat(name string) (fs.FileInfo, error) {
	fi, err := fs.Stat(r.fsys, name)
	if rel, ok := r.retry(name, err); ok {
		if fi2, err2 := fs.Stat(r.fsys, rel); err2 == nil {
			return fi2, nil
		}
	}
	return fi, outside(err)
}

func (r *FS) ReadFile(name string) ([]byte, error) {
	b, err := fs.ReadFile(r.fsys, name)
	if rel, ok := r.retry(name, err); ok {
		if b2, err2 := fs.ReadFile(r.fsys, rel); err2 == nil {
			return b2, nil
		}
	}
	return b, outside(err)
}

func (r *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := r.readDir(name)
	if rel, ok := r.retry(name, err); ok {
		if es2, err2 := r.readDir(rel); err2 == nil {
			return es2, nil
		}
	}
	return es, outside(err)
}

// readDir lists a directory opened through the root, sorted by name, with
// the entries' types as the directory gives them (listEntries).
func (r *FS) readDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	d, err := r.root.OpenFile(name, openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	es, err := listEntries(d, func(entry string) (fs.FileInfo, error) {
		return r.root.Lstat(path.Join(name, entry))
	})
	slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return es, err
}

// ReadLink and Lstat let kustomize see symlinks as it does on disk.

func (r *FS) ReadLink(name string) (string, error) {
	t, err := fs.ReadLink(r.fsys, name)
	if err == nil && filepath.IsAbs(t) && r.real != "" {
		// Argo CD 2.x unpacks a repository's relative links as absolute
		// ones; a link that lands inside the root reads as the relative
		// link it was.
		if rel, ok := strings.CutPrefix(filepath.Clean(t), r.real+string(filepath.Separator)); ok {
			if back, err := filepath.Rel(filepath.FromSlash(path.Dir(name)), rel); err == nil {
				return filepath.ToSlash(back), nil
			}
		}
	}
	return t, outside(err)
}

func (r *FS) Lstat(name string) (fs.FileInfo, error) {
	fi, err := fs.Lstat(r.fsys, name)
	return fi, outside(err)
}

// retry returns where name really is inside the root, as a path free of
// symlinks, when os.Root refused name because a symlink on its way leads
// outside (or is absolute) and yet the path resolves inside the root.
func (r *FS) retry(name string, err error) (string, bool) {
	if err == nil || r.real == "" || !isEscape(err) || !fs.ValidPath(name) {
		return "", false
	}
	real, err := filepath.EvalSymlinks(filepath.Join(r.real, filepath.FromSlash(name)))
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(r.real, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func isEscape(err error) bool {
	return strings.Contains(err.Error(), "path escapes from parent")
}

// outside turns os.Root's "path escapes from parent" into
// transform.ErrOutsideRoot.
func outside(err error) error {
	if err == nil {
		return nil
	}
	if isEscape(err) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return &fs.PathError{Op: pe.Op, Path: pe.Path, Err: transform.ErrOutsideRoot}
		}
		return transform.ErrOutsideRoot
	}
	return err
}
