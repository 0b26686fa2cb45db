package argocd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hookgen/hookgen/internal/sandbox"
	"github.com/hookgen/hookgen/transform"
)

// Source says where a generation reads from.
type Source struct {
	// Dir is the directory the plugin runs in: the app directory, inside
	// the repository; "" for the working directory.
	Dir string
	// ConfigDir is the platform config directory named on the command
	// line; "" for the sidecar's (OpenConfig).
	ConfigDir string
	// Version is this build's version, for the default runner image.
	Version string
}

// Dirs are the directories BuildInput opened.
type Dirs struct {
	Root   string // the repository root
	Config string // the config directory in use, "" for none
}

// BuildInput gathers a transform.Input from src and Argo CD's environment,
// without the Application's parameters (ReadOverrides reads them): the
// repository around src.Dir (SplitRoot), the config directory
// (OpenConfig) and the Application's context. The returned func releases
// the directories.
func BuildInput(src Source, env Env) (transform.Input, Dirs, func(), error) {
	var in transform.Input
	var dirs Dirs
	dir := src.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return in, dirs, nil, fmt.Errorf("find the working directory: %w", err)
		}
		dir = wd
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return in, dirs, nil, fmt.Errorf("application directory %s: %w", dir, err)
	}
	if err := CheckArgoCDVersion(env); err != nil {
		return in, dirs, nil, err
	}
	root, appDir := SplitRoot(abs, env[EnvAppSourcePath])
	repo, closeRepo, err := sandbox.Open(root)
	if err != nil {
		return in, dirs, nil, fmt.Errorf("open the repository at %s: %w", root, err)
	}
	cfg, cfgDir, closeCfg, err := OpenConfig(src.ConfigDir, env)
	if err != nil {
		closeRepo()
		return in, dirs, nil, err
	}
	in.Repo, in.AppDir, in.Config = repo, appDir, cfg
	in.Context = Context(env, src.Version)
	return in, Dirs{Root: root, Config: cfgDir}, func() { closeRepo(); closeCfg() }, nil
}

// SplitRoot finds the repository root and the app directory in it. Argo CD
// runs a plugin in <repo root>/<source path>; the root is the working
// directory with ARGOCD_APP_SOURCE_PATH taken off. When the working
// directory does not end in the source path (a narrowed checkout, or a run
// outside Argo CD), the working directory is the root and nothing above it
// is read.
func SplitRoot(cwd, sourcePath string) (root, appDir string) {
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

// OpenConfig opens the platform config directory the way generate does:
// flagDir, else $HOOKGEN_CONFIG_DIR, else DefaultConfigDir, which may be
// missing (built-in templates and the open policy). It returns the
// directory in use, "" for none.
func OpenConfig(flagDir string, env Env) (fs.FS, string, func(), error) {
	dir := flagDir
	if dir == "" {
		dir = env[EnvConfigDir]
	}
	explicit := dir != ""
	if dir == "" {
		dir = DefaultConfigDir
	}
	cfg, closeCfg, err := sandbox.Open(dir)
	switch {
	case err == nil:
		return cfg, dir, func() { closeCfg() }, nil
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return nil, "", func() {}, nil
	}
	return nil, "", nil, fmt.Errorf("open the config directory %s: %w", dir, err)
}
