package cmpserver

import (
	"fmt"
	"strings"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	k8sversion "k8s.io/apimachinery/pkg/util/version"
)

// Flavor selects which Argo CD release's repo-server environment to mirror.
type Flavor int

const (
	// V2 mirrors argo-cd v2.14.21 reposerver/repository: newEnv without
	// ARGOCD_APP_PROJECT_NAME; KUBE_VERSION is the controller's value with
	// "+" removed (util/text.SemVer).
	V2 Flavor = 2
	// V3 mirrors argo-cd v3.3.10 (unchanged since v3.2.11):
	// ARGOCD_APP_PROJECT_NAME after ARGOCD_APP_NAMESPACE; KUBE_VERSION is
	// the controller's value parsed with
	// k8s.io/apimachinery/pkg/util/version.ParseGeneric and printed again
	// ("1.37" stays "1.37", "v1.37.2+k3s1" becomes "1.37.2").
	V3 Flavor = 3
)

// DefaultKubeVersion is what the application controller passes as the
// cluster version: the published gitops-engine's cluster cache reports
// "<major>.<minor>" of the API server (kubeapi.Version is v1.37.2). Argo
// CD 3.3's in-repository copy reports "v1.37.2" instead.
const DefaultKubeVersion = "1.37"

// AppEnvOptions are the inputs of the environment that are not in the
// Application itself.
type AppEnvOptions struct {
	// Flavor defaults to V2.
	Flavor Flavor
	// Revision is the resolved commit SHA (ARGOCD_APP_REVISION and the
	// _SHORT / _SHORT_8 prefixes).
	Revision string
	// ControllerNamespace is the application controller's namespace
	// (default "argocd"); apps in other namespaces are named <ns>_<name>
	// (Application.InstanceName).
	ControllerNamespace string
	// KubeVersion is the cluster version as the controller passes it
	// (default DefaultKubeVersion).
	KubeVersion string
	// APIVersions is the sorted KUBE_API_VERSIONS list: "group/version" and
	// "group/version/Kind" entries (argo.APIResourcesToStrings(..., true)).
	APIVersions []string
	// PluginTarExclude are the repo-server's --plugin-tar-exclude globs
	// (ARGOCD_REPO_SERVER_PLUGIN_TAR_EXCLUSIONS): files of the repository
	// GenerateForApp leaves out of the stream. They are not part of the
	// environment.
	PluginTarExclude []string
}

func (o AppEnvOptions) withDefaults() AppEnvOptions {
	if o.Flavor == 0 {
		o.Flavor = V2
	}
	if o.ControllerNamespace == "" {
		o.ControllerNamespace = "argocd"
	}
	if o.KubeVersion == "" {
		o.KubeVersion = DefaultKubeVersion
	}
	return o
}

func source(app *v1alpha1.Application) (v1alpha1.ApplicationSource, error) {
	if app == nil {
		return v1alpha1.ApplicationSource{}, fmt.Errorf("cmpserver: nil Application")
	}
	src := app.Spec.GetSource()
	return src, nil
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// DiscoveryEnv returns the build environment without plugin variables
// (reposerver newEnv(...).Environ()): what auto-discovery of an Application
// without an explicit source type sends to every plugin.
func DiscoveryEnv(app *v1alpha1.Application, o AppEnvOptions) ([]string, error) {
	o = o.withDefaults()
	src, err := source(app)
	if err != nil {
		return nil, err
	}
	env := v1alpha1.Env{
		&v1alpha1.EnvEntry{Name: "ARGOCD_APP_NAME", Value: app.InstanceName(o.ControllerNamespace)},
		&v1alpha1.EnvEntry{Name: "ARGOCD_APP_NAMESPACE", Value: app.Spec.Destination.Namespace},
	}
	if o.Flavor == V3 {
		env = append(env, &v1alpha1.EnvEntry{Name: "ARGOCD_APP_PROJECT_NAME", Value: app.Spec.Project})
	}
	env = append(env,
		&v1alpha1.EnvEntry{Name: "ARGOCD_APP_REVISION", Value: o.Revision},
		&v1alpha1.EnvEntry{Name: "ARGOCD_APP_REVISION_SHORT", Value: shorten(o.Revision, 7)},
		&v1alpha1.EnvEntry{Name: "ARGOCD_APP_REVISION_SHORT_8", Value: shorten(o.Revision, 8)},
		&v1alpha1.EnvEntry{Name: "ARGOCD_APP_SOURCE_REPO_URL", Value: src.RepoURL},
		&v1alpha1.EnvEntry{Name: "ARGOCD_APP_SOURCE_PATH", Value: src.Path},
		&v1alpha1.EnvEntry{Name: "ARGOCD_APP_SOURCE_TARGET_REVISION", Value: src.TargetRevision},
	)
	return env.Environ(), nil
}

// AppEnv returns the environment the repo-server sends with MatchRepository
// (for a named or explicit plugin) and GenerateManifest for app
// (getPluginEnvs): DiscoveryEnv, KUBE_VERSION, KUBE_API_VERSIONS, then
// ARGOCD_ENV_<name> for each spec.source.plugin.env entry (interpolated with
// Argo CD's Env.Envsubst against the variables before it), then the
// parameter variables (ARGOCD_APP_PARAMETERS, PARAM_*).
func AppEnv(app *v1alpha1.Application, o AppEnvOptions) ([]string, error) {
	o = o.withDefaults()
	env, err := DiscoveryEnv(app, o)
	if err != nil {
		return nil, err
	}
	kv := strings.ReplaceAll(o.KubeVersion, "+", "")
	if o.Flavor == V3 {
		v, err := k8sversion.ParseGeneric(o.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("could not parse kubernetes version %s: %w", o.KubeVersion, err)
		}
		kv = v.String()
	}
	env = append(env, "KUBE_VERSION="+kv)
	env = append(env, "KUBE_API_VERSIONS="+strings.Join(o.APIVersions, ","))
	src, _ := source(app)
	return pluginParamEnvs(env, src.Plugin)
}

// AnnouncementEnv returns the environment the repo-server sends with
// GetParametersAnnouncement (populatePluginAppDetails): app name, repo URL,
// path and target revision, then the plugin env and parameter variables.
func AnnouncementEnv(app *v1alpha1.Application, o AppEnvOptions) ([]string, error) {
	o = o.withDefaults()
	src, err := source(app)
	if err != nil {
		return nil, err
	}
	env := []string{
		"ARGOCD_APP_NAME=" + app.InstanceName(o.ControllerNamespace),
		"ARGOCD_APP_SOURCE_REPO_URL=" + src.RepoURL,
		"ARGOCD_APP_SOURCE_PATH=" + src.Path,
		"ARGOCD_APP_SOURCE_TARGET_REVISION=" + src.TargetRevision,
	}
	return pluginParamEnvs(env, src.Plugin)
}

// pluginParamEnvs is reposerver/repository getPluginParamEnvs.
func pluginParamEnvs(envVars []string, plugin *v1alpha1.ApplicationSourcePlugin) ([]string, error) {
	env := envVars
	parsed := make(v1alpha1.Env, len(env))
	for i, v := range env {
		e, err := v1alpha1.NewEnvEntry(v)
		if err != nil {
			return nil, fmt.Errorf("failed to parse env vars")
		}
		parsed[i] = e
	}
	if plugin != nil {
		for _, entry := range plugin.Env {
			env = append(env, fmt.Sprintf("ARGOCD_ENV_%s=%s", entry.Name, parsed.Envsubst(entry.Value)))
		}
		paramEnv, err := plugin.Parameters.Environ()
		if err != nil {
			return nil, fmt.Errorf("failed to generate env vars from parameters: %w", err)
		}
		env = append(env, paramEnv...)
	}
	return env, nil
}
