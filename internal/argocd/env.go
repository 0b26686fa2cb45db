package argocd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/transform"
)

// Env is the process environment as a map, with the order-independent view
// hookgen needs: later entries win, as with exec.
type Env map[string]string

// NewEnv builds an Env from "KEY=value" entries.
func NewEnv(environ []string) Env {
	env := make(Env, len(environ))
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		env[k] = v
	}
	return env
}

// Environ returns the environment as sorted "KEY=value" entries.
func (e Env) Environ() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Argo CD's build environment for plugins (argocd-facts: "Environment the
// commands receive"). Argo CD 2.x drops variables with empty values, 3.x
// passes them; both read the same here: absent and empty are alike.
const (
	EnvAppName       = "ARGOCD_APP_NAME"
	EnvAppNamespace  = "ARGOCD_APP_NAMESPACE"
	EnvAppProject    = "ARGOCD_APP_PROJECT_NAME"
	EnvAppRevision   = "ARGOCD_APP_REVISION"
	EnvAppRevShort   = "ARGOCD_APP_REVISION_SHORT"
	EnvAppSourcePath = "ARGOCD_APP_SOURCE_PATH"
	EnvAppRepoURL    = "ARGOCD_APP_SOURCE_REPO_URL"
	EnvAppTargetRev  = "ARGOCD_APP_SOURCE_TARGET_REVISION"
	EnvKubeVersion   = "KUBE_VERSION"
	// EnvUserPrefix prefixes each variable of the Application's plugin env.
	EnvUserPrefix = "ARGOCD_ENV_"
)

// The sidecar's settings for hookgen.
const (
	EnvConfigDir     = "HOOKGEN_CONFIG_DIR"
	EnvRunnerImage   = "HOOKGEN_RUNNER_IMAGE"
	EnvArgoCDURL     = "HOOKGEN_ARGOCD_URL"
	EnvArgoCDVersion = "HOOKGEN_ARGOCD_VERSION"
	EnvGenerateSlots = "HOOKGEN_GENERATE_SLOTS"

	// DefaultConfigDir is the config directory when none is named.
	DefaultConfigDir = "/home/argocd/hookgen"
	// RunnerImageRepo is the repository of hookgen's own image.
	RunnerImageRepo = "ghcr.io/hookgen/hookgen"
	// ShortRevisionLen is the length of $(app.revisionShort) when Argo CD
	// sends no ARGOCD_APP_REVISION_SHORT.
	ShortRevisionLen = 7

	defaultGenerateSlots = 3
)

// Context reads the Application's context from Argo CD's env. version is
// this build's version, the tag of the runner image when the sidecar
// names none (RunnerImage).
func Context(env Env, version string) transform.Context {
	rev := env[EnvAppRevision]
	short := env[EnvAppRevShort]
	if short == "" && len(rev) >= ShortRevisionLen {
		short = rev[:ShortRevisionLen]
	}
	user := map[string]string{}
	for k, v := range env {
		if name, ok := strings.CutPrefix(k, EnvUserPrefix); ok && name != "" {
			user[name] = v
		}
	}
	return transform.Context{
		App: transform.App{
			Name:           env[EnvAppName],
			Namespace:      env[EnvAppNamespace],
			Project:        env[EnvAppProject],
			Revision:       rev,
			RevisionShort:  short,
			RepoURL:        env[EnvAppRepoURL],
			Path:           env[EnvAppSourcePath],
			TargetRevision: env[EnvAppTargetRev],
			KubeVersion:    env[EnvKubeVersion],
		},
		Env:         user,
		RunnerImage: RunnerImage(env, version),
		ArgoCDURL:   env[EnvArgoCDURL],
		ArgoCD:      argoCDVersion(env),
	}
}

// argoCDVersion is the sidecar's HOOKGEN_ARGOCD_VERSION, zero when unset
// or unreadable (CheckArgoCDVersion reports that).
func argoCDVersion(env Env) transform.ArgoCDVersion {
	v, _ := transform.ParseArgoCDVersion(env[EnvArgoCDVersion])
	return v
}

// CheckArgoCDVersion refuses a HOOKGEN_ARGOCD_VERSION hookgen cannot read.
func CheckArgoCDVersion(env Env) error {
	s, ok := env[EnvArgoCDVersion]
	if !ok || s == "" {
		return nil
	}
	if _, err := transform.ParseArgoCDVersion(s); err != nil {
		return fmt.Errorf("%s: %v", EnvArgoCDVersion, err)
	}
	return nil
}

// RunnerImage is the image of Jobs that run "hookgen run": the sidecar's
// HOOKGEN_RUNNER_IMAGE, else this build's own image, tagged with version
// (the version a release stamps in, or a "go install ...@v1.2.3"
// records).
func RunnerImage(env Env, version string) string {
	if img := env[EnvRunnerImage]; img != "" {
		return img
	}
	return RunnerImageRepo + ":" + version
}

// GenerateSlots is how many generations build at once in the sidecar
// (sandbox.AcquireSlot): HOOKGEN_GENERATE_SLOTS, 0 for no bound, else 3.
func GenerateSlots(env Env) int {
	if v, ok := env[EnvGenerateSlots]; ok {
		if i, err := strconv.Atoi(v); err == nil && i >= 0 {
			return i
		}
	}
	return defaultGenerateSlots
}
