package plugin

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/internal/argocd"
	"github.com/hookgen/hookgen/transform"
)

// The local commands (render, validate, explain) run hookgen on a
// developer's machine or in CI, without Argo CD. They read no ARGOCD_*
// variables: a shell may hold stale ones, and a preview must show what its
// flags say. Instead they build the environment Argo CD would pass from
// their flags and stand-ins, and then take exactly the path `generate`
// takes, so that the same inputs give the same bytes.

// Stand-ins for what only Argo CD knows.
const (
	standInProject        = "default"
	standInRevision       = "0000000000000000000000000000000000000000"
	standInTargetRevision = "HEAD"
)

// localFlags are the flags the local commands share.
type localFlags struct {
	appName, namespace, project      string
	revision, repoURL, targetRev     string
	kubeVersion, configDir, repoRoot string
	params, envs                     []string
	argocdEnv                        bool

	fl *pflag.FlagSet // to tell a flag set to "" from one not given
}

// add defines the flags on fl.
func (l *localFlags) add(fl *pflag.FlagSet) {
	l.fl = fl
	fl.StringVar(&l.appName, "app-name", "", "Application name, $(app.name) (default: the directory's name)")
	fl.StringVar(&l.namespace, "namespace", "", "destination namespace, $(app.namespace) (default: the application name)")
	fl.StringVar(&l.project, "project", "", "AppProject, $(app.project) (default \""+standInProject+"\")")
	fl.StringVar(&l.revision, "revision", "", "commit SHA, $(app.revision) (default: forty zeros)")
	fl.StringVar(&l.repoURL, "repo-url", "", "repository URL, $(app.repoURL) (default: empty)")
	fl.StringVar(&l.targetRev, "target-revision", "", "the Application's targetRevision, $(app.targetRevision) (default \""+standInTargetRevision+"\")")
	fl.StringVar(&l.kubeVersion, "kube-version", "", "cluster version as Argo CD sends it (e.g. 1.33), $(app.kubeVersion) (default: empty)")
	fl.StringArrayVar(&l.params, "param", nil, "Application parameter `name=value`, repeatable: disable=smoke, enable=x, hook.<hook>.<param>=value")
	fl.StringArrayVar(&l.envs, "env", nil, "the Application's plugin env `KEY=VALUE` (ARGOCD_ENV_KEY, $(env.KEY)), repeatable")
	fl.StringVar(&l.configDir, "config-dir", "", "platform config directory (default: $"+argocd.EnvConfigDir+" or "+argocd.DefaultConfigDir+")")
	fl.StringVar(&l.repoRoot, "repo-root", "", "repository root (default: the nearest directory upwards holding .git, else DIR)")
	fl.BoolVar(&l.argocdEnv, "argocd-env", false, "take Argo CD's environment (ARGOCD_APP_*, ARGOCD_ENV_*, parameters) from this process, as generate does, instead of the flags above")
}

// localRun is a local command's input, ready for transform.
type localRun struct {
	in      transform.Input
	close   func()
	root    string // absolute repository root
	appDir  string // the app directory relative to root, "." for the root
	cwd     string // the working directory, for the paths in messages
	cfgDir  string // the config directory in use, "" for none
	appName string
}

// usageErr marks a bad command line (exit 2) among a local command's errors.
type usageErr struct{ error }

// prepare resolves the app directory (args holds at most one DIR) and builds
// the Input the way `generate` does for the same Argo CD environment.
func (l *localFlags) prepare(args []string, env Env) (*localRun, error) {
	if len(args) > 1 {
		return nil, usageErr{fmt.Errorf("unexpected argument %q: give one application directory", args[1])}
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("find the working directory: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("application directory %s: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("application directory %s does not exist", dir)
	case err != nil:
		return nil, fmt.Errorf("application directory %s: %w", dir, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("%s is not a directory; give the application's directory", dir)
	}
	if l.argocdEnv {
		return l.prepareArgoCD(abs, cwd, env)
	}
	root := findRepoRoot(abs)
	if l.repoRoot != "" {
		if root, err = filepath.Abs(l.repoRoot); err != nil {
			return nil, fmt.Errorf("repository root %s: %w", l.repoRoot, err)
		}
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, usageErr{fmt.Errorf("the repository root %s does not contain the application directory %s", relPath(cwd, root), dir)}
	}
	rel = filepath.ToSlash(rel)

	ov, err := l.overrides()
	if err != nil {
		return nil, usageErr{err}
	}
	argo, err := l.argoEnv(abs, rel, env)
	if err != nil {
		return nil, usageErr{err}
	}
	in, dirs, closeAll, err := buildInput(abs, l.configDir, argo)
	if err != nil {
		return nil, err
	}
	in.Overrides = ov
	return &localRun{in: in, close: closeAll, root: root, appDir: rel, cwd: cwd, cfgDir: dirs.Config, appName: argo[argocd.EnvAppName]}, nil
}

// open prepares a local command's run. A bad command line is a usage
// error of the command name; any other error goes to report, or is
// printed as "hookgen <name>: <error>". ok=false returns the exit code.
func (l *localFlags) open(name string, args []string, env Env, stderr io.Writer, report func(error) int) (run *localRun, code int, ok bool) {
	run, err := l.prepare(args, env)
	var ue usageErr
	switch {
	case err == nil:
		return run, ExitOK, true
	case errors.As(err, &ue):
		return nil, usageError(stderr, name, ue.error), false
	case report != nil:
		return nil, report(err), false
	}
	fmt.Fprintf(stderr, "hookgen %s: %v\n", name, err)
	return nil, ExitProblems, false
}

// prepareArgoCD builds the Input exactly as `generate` does from Argo CD's
// environment in env, for reproducing a sidecar's run.
func (l *localFlags) prepareArgoCD(abs, cwd string, env Env) (*localRun, error) {
	for _, flag := range []string{"app-name", "namespace", "project", "revision", "repo-url", "target-revision", "kube-version", "param", "env", "repo-root"} {
		if l.fl != nil && l.fl.Changed(flag) {
			return nil, usageErr{fmt.Errorf("--%s and --argocd-env do not go together: the environment says it", flag)}
		}
	}
	in, dirs, closeAll, err := newInput(abs, l.configDir, env)
	if err != nil {
		return nil, err
	}
	return &localRun{in: in, close: closeAll, root: dirs.Root, appDir: in.AppDir, cwd: cwd, cfgDir: dirs.Config, appName: env[argocd.EnvAppName]}, nil
}

// findRepoRoot returns the nearest directory from dir upwards that holds a
// .git entry (a directory, or the file of a worktree or submodule), else
// dir itself: a directory outside any Git repository is its own root.
func findRepoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// nonLabel is compiled on first use: no command pays for it at start-up.
var nonLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9-]+`) })

// standInName turns a directory name into a DNS-1123 label for
// $(app.name): "My_App" becomes "my-app".
func standInName(dir string) string {
	name := nonLabel().ReplaceAllString(strings.ToLower(filepath.Base(dir)), "-")
	name = strings.Trim(name, "-")
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	if name == "" {
		return "app"
	}
	return name
}

// argoEnv is the environment Argo CD would give `generate` for these
// flags, plus hookgen's own settings from the real environment.
func (l *localFlags) argoEnv(abs, rel string, env Env) (Env, error) {
	// A flag given, even as "", says what Argo CD sends (Argo CD 2.x sends
	// no project, and no namespace for a cluster-scoped destination).
	given := func(flag, v, def string) string {
		if l.fl != nil && l.fl.Changed(flag) {
			return v
		}
		return def
	}
	name := given("app-name", l.appName, standInName(abs))
	out := Env{
		argocd.EnvAppName:       name,
		argocd.EnvAppNamespace:  given("namespace", l.namespace, name),
		argocd.EnvAppProject:    given("project", l.project, standInProject),
		argocd.EnvAppRevision:   given("revision", l.revision, standInRevision),
		argocd.EnvAppSourcePath: rel,
		argocd.EnvAppRepoURL:    l.repoURL,
		argocd.EnvAppTargetRev:  given("target-revision", l.targetRev, standInTargetRevision),
		argocd.EnvKubeVersion:   l.kubeVersion,
	}
	for _, k := range []string{argocd.EnvConfigDir, argocd.EnvRunnerImage, argocd.EnvArgoCDURL, argocd.EnvArgoCDVersion} {
		if v, ok := env[k]; ok {
			out[k] = v
		}
	}
	for _, kv := range l.envs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
		out[argocd.EnvUserPrefix+k] = v
	}
	return out, nil
}

// overrides maps --param flags onto the Application's parameters, with the
// names Argo CD would send: disable and enable take a comma-separated list,
// hook.<hook>.<param> one template parameter of one hook.
func (l *localFlags) overrides() (transform.Overrides, error) {
	var ov transform.Overrides
	for _, kv := range l.params {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return ov, fmt.Errorf("--param %q: want name=value", kv)
		}
		p := argocd.Parameter{Name: name, String: &value}
		if rest, ok := strings.CutPrefix(name, transform.ParamHookPrefix); ok {
			hook, param, ok := strings.Cut(rest, ".")
			if !ok || hook == "" || param == "" {
				return ov, fmt.Errorf("--param %q: a hook's parameter is hook.<hook>.<param>=value", kv)
			}
			p = argocd.Parameter{Name: transform.ParamHookPrefix + hook, Map: map[string]string{param: value}}
		}
		if err := argocd.AddParameter(&ov, p); err != nil {
			return ov, fmt.Errorf("--param %q: %v", kv, err)
		}
	}
	return ov, nil
}

// display turns a problem's file into a path a person can open from the
// working directory: repository files relative to it, platform files
// under the config directory. Built-in templates and Application
// parameters keep their names.
func (r *localRun) display(file string) string {
	switch {
	case file == "" || file == transform.ParametersFile || strings.HasPrefix(file, "builtin:"):
		return file
	case strings.HasPrefix(file, "config:"):
		if r.cfgDir == "" {
			return file
		}
		return relPath(r.cwd, filepath.Join(r.cfgDir, filepath.FromSlash(strings.TrimPrefix(file, "config:"))))
	}
	return relPath(r.cwd, filepath.Join(r.root, filepath.FromSlash(file)))
}

// relPath returns target relative to base when that is shorter to read,
// else target.
func relPath(base, target string) string {
	if !filepath.IsAbs(target) {
		if abs, err := filepath.Abs(target); err == nil {
			target = abs
		}
	}
	rel, err := filepath.Rel(base, target)
	if err != nil || strings.HasPrefix(rel, ".."+string(filepath.Separator)+"..") {
		return filepath.ToSlash(target)
	}
	return filepath.ToSlash(rel)
}

// joinRoot returns the absolute path of a repository-relative directory.
func joinRoot(root, rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
