package plugin

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
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
	envGenerateSlots  = "HOOKGEN_GENERATE_SLOTS"
	defaultConfigDir  = "/home/argocd/hookgen"
	runnerImageRepo   = "ghcr.io/hookgen/hookgen"
	shortRevisionSize = 7

	defaultGenerateSlots = 3
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

// generateSlots is how many generations build at once in the sidecar
// (sandbox.AcquireSlot): HOOKGEN_GENERATE_SLOTS, 0 for no bound, else 3.
func generateSlots(env Env) int {
	if v, ok := env[envGenerateSlots]; ok {
		if i, err := strconv.Atoi(v); err == nil && i >= 0 {
			return i
		}
	}
	return defaultGenerateSlots
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
