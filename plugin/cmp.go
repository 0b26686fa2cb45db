package plugin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hookgen/hookgen/transform"
)

// Argo CD's build environment for plugins (argocd-facts: "Environment the
// commands receive"). Argo CD 2.x drops variables with empty values, 3.x
// passes them; both read the same here: absent and empty are alike.
const (
	envAppName        = "ARGOCD_APP_NAME"
	envAppNamespace   = "ARGOCD_APP_NAMESPACE"
	envAppProject     = "ARGOCD_APP_PROJECT_NAME"
	envAppRevision    = "ARGOCD_APP_REVISION"
	envAppRevShort    = "ARGOCD_APP_REVISION_SHORT"
	envAppSourcePath  = "ARGOCD_APP_SOURCE_PATH"
	envAppRepoURL     = "ARGOCD_APP_SOURCE_REPO_URL"
	envAppTargetRev   = "ARGOCD_APP_SOURCE_TARGET_REVISION"
	envKubeVersion    = "KUBE_VERSION"
	envUserPrefix     = "ARGOCD_ENV_"
	envConfigDir      = "HOOKGEN_CONFIG_DIR"
	envRunnerImage    = "HOOKGEN_RUNNER_IMAGE"
	envArgoCDURL      = "HOOKGEN_ARGOCD_URL"
	envArgoCDVersion  = "HOOKGEN_ARGOCD_VERSION"
	defaultConfigDir  = "/home/argocd/hookgen"
	runnerImageRepo   = "ghcr.io/hookgen/hookgen"
	shortRevisionSize = 7
)

// appContext reads the Application's context from Argo CD's env.
func appContext(env Env) transform.Context {
	rev := env[envAppRevision]
	short := env[envAppRevShort]
	if short == "" && len(rev) >= shortRevisionSize {
		short = rev[:shortRevisionSize]
	}
	user := map[string]string{}
	for k, v := range env {
		if name, ok := strings.CutPrefix(k, envUserPrefix); ok && name != "" {
			user[name] = v
		}
	}
	return transform.Context{
		App: transform.App{
			Name:           env[envAppName],
			Namespace:      env[envAppNamespace],
			Project:        env[envAppProject],
			Revision:       rev,
			RevisionShort:  short,
			RepoURL:        env[envAppRepoURL],
			Path:           env[envAppSourcePath],
			TargetRevision: env[envAppTargetRev],
			KubeVersion:    env[envKubeVersion],
		},
		Env:         user,
		RunnerImage: runnerImage(env),
		ArgoCDURL:   env[envArgoCDURL],
		ArgoCD:      argoCDVersion(env),
	}
}

// argoCDVersion is the sidecar's HOOKGEN_ARGOCD_VERSION, zero when unset
// or unreadable (checkArgoCDVersion reports that).
func argoCDVersion(env Env) transform.ArgoCDVersion {
	v, _ := transform.ParseArgoCDVersion(env[envArgoCDVersion])
	return v
}

// checkArgoCDVersion refuses a HOOKGEN_ARGOCD_VERSION hookgen cannot read.
func checkArgoCDVersion(env Env) error {
	s, ok := env[envArgoCDVersion]
	if !ok || s == "" {
		return nil
	}
	if _, err := transform.ParseArgoCDVersion(s); err != nil {
		return fmt.Errorf("%s: %v", envArgoCDVersion, err)
	}
	return nil
}

// runnerImage is the image of Jobs that run "hookgen run": the sidecar's
// HOOKGEN_RUNNER_IMAGE, else this build's own image (the version a release
// stamps in, or a "go install ...@v1.2.3" records).
func runnerImage(env Env) string {
	if img := env[envRunnerImage]; img != "" {
		return img
	}
	v, _ := buildVersion()
	return runnerImageRepo + ":" + v
}

// splitRoot finds the repository root and the app directory in it. Argo CD
// runs a plugin in <repo root>/<source path>; the root is the working
// directory with ARGOCD_APP_SOURCE_PATH taken off. When the working
// directory does not end in the source path (a narrowed checkout, or a run
// outside Argo CD), the working directory is the root and nothing above it
// is read.
func splitRoot(cwd, sourcePath string) (root, appDir string) {
	src := path.Clean(strings.TrimLeft(filepath.ToSlash(sourcePath), "/"))
	if src == "." || src == ".." || strings.HasPrefix(src, "../") {
		return cwd, "."
	}
	slash := filepath.ToSlash(cwd)
	if !strings.HasSuffix(slash, "/"+src) {
		return cwd, "."
	}
	return filepath.FromSlash(strings.TrimSuffix(slash, "/"+src)), src
}

// rootFS is a read-only view of a directory that nothing (no "..", no
// symlink) can leave: os.Root enforces it, rootFS names the error.
//
// os.Root refuses every absolute symlink, but Argo CD 2.x's cmp-server
// (util/io/files.Untgz before v3.0) unpacks each symlink of the repository
// it is sent as an absolute link to the target's path in the unpacked copy:
// a shared manifest linked as ../shared/common.yaml arrives as
// /tmp/_cmp_server/<uuid>/shared/common.yaml. So a path os.Root refuses is
// resolved once more, and read through the root at its resolved place when
// that place is inside the root; anything that leads outside stays refused.
type rootFS struct {
	fsys fs.FS
	// real is the root's absolute path with symlinks resolved.
	real string
}

func openRootFS(dir string) (*rootFS, func() error, error) {
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
	return &rootFS{fsys: r.FS(), real: real}, r.Close, nil
}

func (r *rootFS) Open(name string) (fs.File, error) {
	f, err := r.fsys.Open(name)
	if rel, ok := r.retry(name, err); ok {
		if f2, err2 := r.fsys.Open(rel); err2 == nil {
			return f2, nil
		}
	}
	return f, outside(err)
}

func (r *rootFS) Stat(name string) (fs.FileInfo, error) {
	fi, err := fs.Stat(r.fsys, name)
	if rel, ok := r.retry(name, err); ok {
		if fi2, err2 := fs.Stat(r.fsys, rel); err2 == nil {
			return fi2, nil
		}
	}
	return fi, outside(err)
}

func (r *rootFS) ReadFile(name string) ([]byte, error) {
	b, err := fs.ReadFile(r.fsys, name)
	if rel, ok := r.retry(name, err); ok {
		if b2, err2 := fs.ReadFile(r.fsys, rel); err2 == nil {
			return b2, nil
		}
	}
	return b, outside(err)
}

func (r *rootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(r.fsys, name)
	if rel, ok := r.retry(name, err); ok {
		if es2, err2 := fs.ReadDir(r.fsys, rel); err2 == nil {
			return es2, nil
		}
	}
	return es, outside(err)
}

// ReadLink and Lstat let kustomize see symlinks as it does on disk.

func (r *rootFS) ReadLink(name string) (string, error) {
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

func (r *rootFS) Lstat(name string) (fs.FileInfo, error) {
	fi, err := fs.Lstat(r.fsys, name)
	return fi, outside(err)
}

// retry returns where name really is inside the root, as a path free of
// symlinks, when os.Root refused name because a symlink on its way leads
// outside (or is absolute) and yet the path resolves inside the root.
func (r *rootFS) retry(name string, err error) (string, bool) {
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
