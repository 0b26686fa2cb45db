package loop

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	harness "github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/node"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// PluginName is how an Application names hookgen: plugin.yaml's name
// "hookgen" and version "v1".
const PluginName = "hookgen-v1"

// ArgoVersions maps the argocd builds of test/tools to their releases.
var ArgoVersions = map[cmpserver.Argo]string{
	cmpserver.ArgoV2: cmpserver.ArgoV2.Release(),
	cmpserver.ArgoV3: cmpserver.ArgoV3.Release(),
}

// ParseArgo accepts "v2", "v3", "argocd-v2", "argocd-v3" or a release
// ("v2.14.21", "v3.3.10").
func ParseArgo(s string) (cmpserver.Argo, error) {
	for a, release := range ArgoVersions {
		if s == string(a) || "argocd-"+s == string(a) || s == release {
			return a, nil
		}
	}
	return "", fmt.Errorf("unknown Argo CD version %q: want v2 (%s) or v3 (%s)", s, ArgoVersions[cmpserver.ArgoV2], ArgoVersions[cmpserver.ArgoV3])
}

// PluginYAML returns the repository's own plugin.yaml, the one the image
// bakes into the sidecar.
func PluginYAML() ([]byte, error) {
	root, err := tools.RepoRoot()
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(root, "plugin.yaml"))
}

// StackOptions are the harness options for the Argo CD loop of the given
// version with hookgen as the cmp-server's plugin: the repository's
// plugin.yaml, and the hookgen binary in hookgenDir first on the sidecar's
// PATH (tools.BuildHookgenTo builds it).
func StackOptions(argo cmpserver.Argo, hookgenDir string) (harness.Options, error) {
	plugin, err := PluginYAML()
	if err != nil {
		return harness.Options{}, err
	}
	return harness.Options{
		Argo:       argo,
		PluginYAML: plugin,
		PluginPATH: hookgenDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		// The install names the Argo CD it serves, as docs/settings.md says.
		PluginEnv: []string{"HOOKGEN_ARGOCD_VERSION=" + ArgoVersions[argo]},
	}, nil
}

// RealNodeOptions are StackOptions on a real node: the standard test
// images (node.StandardImages, built in imageDir) and hookgen's own image
// as `make image` builds it (node.HookgenArchive) are imported, and the
// sidecar names node.HookgenImage as HOOKGEN_RUNNER_IMAGE.
func RealNodeOptions(ctx context.Context, argo cmpserver.Argo, hookgenDir, imageDir string) (harness.Options, error) {
	opts, err := StackOptions(argo, hookgenDir)
	if err != nil {
		return opts, err
	}
	images, err := node.StandardImages(ctx, imageDir)
	if err != nil {
		return opts, err
	}
	hookgen, err := node.HookgenArchive(ctx)
	if err != nil {
		return opts, err
	}
	opts.RealNode = true
	opts.NodeImages = images
	opts.NodeArchives = []node.Archive{hookgen}
	opts.PluginEnv = append(opts.PluginEnv, "HOOKGEN_RUNNER_IMAGE="+node.HookgenImage)
	return opts, nil
}

// StartStack brings up the loop (StackOptions); the caller stops it.
func StartStack(ctx context.Context, argo cmpserver.Argo, hookgenDir string) (*harness.Stack, error) {
	return startStack(ctx, argo, hookgenDir, false)
}

// StartRealStack brings up the loop on a real node (RealNodeOptions); the
// caller stops it. The program must run through node.RunInNamespaces.
func StartRealStack(ctx context.Context, argo cmpserver.Argo, hookgenDir string) (*harness.Stack, error) {
	return startStack(ctx, argo, hookgenDir, true)
}

func startStack(ctx context.Context, argo cmpserver.Argo, hookgenDir string, real bool) (*harness.Stack, error) {
	opts, err := StackOptions(argo, hookgenDir)
	if real {
		imageDir, derr := os.MkdirTemp("", "hookgen-images")
		if derr != nil {
			return nil, derr
		}
		defer os.RemoveAll(imageDir)
		opts, err = RealNodeOptions(ctx, argo, hookgenDir, imageDir)
	}
	if err != nil {
		return nil, err
	}
	s, err := harness.StartStack(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := CheckPlugin(s); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// CheckPlugin checks that the sidecar serves the plugin as PluginName.
func CheckPlugin(s *harness.Stack) error {
	if s.CMP.PluginName != PluginName {
		return fmt.Errorf("loop: plugin.yaml names the plugin %q, want %q", s.CMP.PluginName, PluginName)
	}
	return nil
}
