package cmpserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v2/util/io/files"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Detect chooses the plugin for an app the way the repo-server does
// (util/app/discovery DetectConfigManagementPlugin): with pluginName it dials
// <socketDir>/<pluginName>.sock, which must either have no discovery rules
// or match the repo; without it, it tries every socket in socketDir in
// directory order and takes the first plugin whose discovery rules match.
// The caller closes the returned client.
func Detect(ctx context.Context, socketDir, pluginName string, repo Repo, env []string) (*Client, error) {
	absDir, err := filepath.Abs(socketDir)
	if err != nil {
		return nil, err
	}
	if pluginName != "" {
		c, ok, err := supports(ctx, absDir, pluginName+".sock", repo, env, true)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("couldn't find cmp-server plugin with name %q supporting the given repository", pluginName)
		}
		return c, nil
	}
	entries, err := os.ReadDir(absDir)
	if err != nil {
		return nil, fmt.Errorf("Failed to list all plugins in dir, error=%w", err)
	}
	for _, e := range entries {
		if e.Type() != os.ModeSocket {
			continue
		}
		c, ok, err := supports(ctx, absDir, e.Name(), repo, env, false)
		if err != nil {
			return nil, err
		}
		if ok {
			return c, nil
		}
	}
	return nil, errors.New("could not find plugin supporting the given repository")
}

// supports is discovery.cmpSupports. Argo CD only logs the reasons a plugin
// does not match; here dial errors are returned so tests see them.
func supports(ctx context.Context, dir, file string, repo Repo, env []string, named bool) (*Client, bool, error) {
	address := filepath.Join(dir, file)
	if !files.Inbound(address, dir) {
		return nil, false, fmt.Errorf("invalid socket file path, %v is outside plugin socket dir %v", file, dir)
	}
	c, err := Dial(address)
	if err != nil {
		return nil, false, err
	}
	cfg, err := c.CheckPluginConfiguration(ctx)
	if err != nil {
		c.Close()
		return nil, false, err
	}
	if !cfg.DiscoveryConfigured {
		if named {
			return c, true, nil
		}
		c.Close()
		return nil, false, nil
	}
	m, err := c.MatchRepository(ctx, repo, env)
	if err != nil {
		c.Close()
		return nil, false, err
	}
	if !m.Supported {
		if !m.DiscoveryEnabled && named {
			return c, true, nil
		}
		c.Close()
		return nil, false, nil
	}
	return c, true, nil
}

// Result is the outcome of GenerateForApp.
type Result struct {
	// Env is the environment that was sent.
	Env []string
	// Socket is the plugin that generated the manifests.
	Socket string
	// Manifests are the strings the cmp-server returned (one per object).
	Manifests []string
	// Objects are Manifests parsed as the repo-server parses them.
	Objects []*unstructured.Unstructured
}

// GenerateForApp does what the repo-server's runConfigManagementPluginSidecars
// does for app: build the environment (AppEnv), pick the plugin (Detect with
// spec.source.plugin.name), CheckPluginConfiguration, GenerateManifest with
// the repository at repoRoot and the app at spec.source.path, then parse the
// manifests with kube.SplitYAML. o.PluginTarExclude leaves files out of the
// repository stream. Git credentials (provideGitCreds) are not emulated.
// Errors carry the repo-server's wording.
func GenerateForApp(ctx context.Context, socketDir string, app *v1alpha1.Application, repoRoot string, o AppEnvOptions) (*Result, error) {
	env, err := AppEnv(app, o)
	if err != nil {
		return nil, err
	}
	src, _ := source(app)
	pluginName := ""
	if src.Plugin != nil {
		pluginName = src.Plugin.Name
	}
	repo := Repo{Root: repoRoot, AppPath: src.Path, ExcludedGlobs: o.PluginTarExclude}
	c, err := Detect(ctx, socketDir, pluginName, repo, env)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.CheckPluginConfiguration(ctx); err != nil {
		return nil, fmt.Errorf("error calling cmp-server checkPluginConfiguration: %w", err)
	}
	manifests, err := c.GenerateManifest(ctx, repo, env)
	if err != nil {
		return nil, fmt.Errorf("error generating manifests in cmp: %w", err)
	}
	res := &Result{Env: env, Socket: c.Socket, Manifests: manifests}
	res.Objects, err = Objects(manifests)
	return res, err
}

// Objects parses cmp-server manifests like the repo-server
// (kube.SplitYAML per returned string).
func Objects(manifests []string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, m := range manifests {
		objs, err := kube.SplitYAML([]byte(m))
		if err != nil {
			return out, fmt.Errorf("failed to convert CMP manifests to unstructured objects: %s", err.Error())
		}
		out = append(out, objs...)
	}
	return out, nil
}
