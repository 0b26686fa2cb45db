package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v2/cmpserver/plugin"
	"github.com/argoproj/argo-cd/v2/common"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"

	"github.com/hookgen/hookgen/test/e2e"
	"github.com/hookgen/hookgen/test/internal/cmpserver"
)

// TestPluginYAML reads the repository's plugin.yaml with Argo CD's own
// config reader, which validates it (ValidatePluginConfig), and checks what
// the README and docs/install.md promise: the name Applications use, the commands, discovery
// by the exact file hookgen.yaml, the static and dynamic parameters.
func TestPluginYAML(t *testing.T) {
	cfg, err := plugin.ReadPluginConfig(e2e.Env.Root)
	if err != nil {
		t.Fatalf("Argo CD cannot read plugin.yaml: %v", err)
	}
	if err := plugin.ValidatePluginConfig(*cfg); err != nil {
		t.Errorf("ValidatePluginConfig: %v", err)
	}
	// The socket name is what Applications reference (plugin.name).
	t.Setenv(common.EnvPluginSockFilePath, "/sockets")
	if got := cfg.Address(); got != "/sockets/"+e2e.PluginName+".sock" {
		t.Errorf("Argo CD serves the plugin at %s, want /sockets/%s.sock", got, e2e.PluginName)
	}
	if name, err := cmpserver.PluginName(filepath.Join(e2e.Env.Root, "plugin.yaml")); err != nil || name != e2e.PluginName {
		t.Errorf("cmpserver.PluginName = %q, %v", name, err)
	}
	if cfg.APIVersion != "argoproj.io/v1alpha1" || cfg.Kind != plugin.ConfigManagementPluginKind {
		t.Errorf("apiVersion/kind = %s/%s", cfg.APIVersion, cfg.Kind)
	}
	spec := cfg.Spec
	if !slices.Equal(spec.Generate.Command, []string{"hookgen", "generate"}) || len(spec.Generate.Args) != 0 {
		t.Errorf("generate = %+v, want [hookgen generate]", spec.Generate)
	}
	if len(spec.Init.Command) != 0 {
		t.Errorf("init = %+v: an init command would run on every generation", spec.Init)
	}
	if spec.Discover.FileName != "./hookgen.yaml" || spec.Discover.Find.Glob != "" || len(spec.Discover.Find.Command.Command) != 0 {
		t.Errorf("discover = %+v, want only fileName ./hookgen.yaml", spec.Discover)
	}
	if !slices.Equal(spec.Parameters.Dynamic.Command, []string{"hookgen", "parameters"}) {
		t.Errorf("parameters.dynamic = %+v, want [hookgen parameters]", spec.Parameters.Dynamic)
	}
	var static []string
	for _, p := range spec.Parameters.Static {
		static = append(static, p.Name)
		if p.CollectionType != "array" || p.ItemType != "string" || p.Title == "" || p.Tooltip == "" {
			t.Errorf("static parameter %s = %+v", p.Name, p)
		}
	}
	if !slices.Equal(static, []string{"disable", "enable"}) {
		t.Errorf("static parameters %v, want [disable enable]", static)
	}
	if spec.PreserveFileMode || spec.ProvideGitCreds {
		t.Errorf("preserveFileMode=%v provideGitCreds=%v, want both false", spec.PreserveFileMode, spec.ProvideGitCreds)
	}

	// The image puts plugin.yaml where Argo CD's cmp-server looks by
	// default (make image lays out the root filesystem; its tests read
	// the archive), and the sidecar mounts the socket dir Argo CD uses.
	rootfs, err := os.ReadFile(filepath.Join(e2e.Env.Root, "tools", "imagebuild", "rootfs.go"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimPrefix(common.DefaultPluginConfigFilePath, "/") + "/" + common.PluginConfigFileName
	if !regexp.MustCompile(`(?m)^\s*pluginPath\s*=\s*"` + regexp.QuoteMeta(want) + `"\s*$`).Match(rootfs) {
		t.Errorf("the image's pluginPath (tools/imagebuild/rootfs.go) is not %q", want)
	}
	sidecar, err := os.ReadFile(filepath.Join(e2e.Env.Root, "manifests", "base", "repo-server-sidecar.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sidecar), "mountPath: "+common.DefaultPluginSockFilePath+"}") {
		t.Errorf("the sidecar does not mount the plugins volume at %s", common.DefaultPluginSockFilePath)
	}
}

// TestPluginConfiguration asks both cmp-servers what the repo-server asks
// first: discovery is configured, git credentials are not wanted.
func TestPluginConfiguration(t *testing.T) {
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			t.Parallel()
			srv := e2e.Sidecar(t, argo, e2e.DefaultSidecar())
			if srv.PluginName != e2e.PluginName {
				t.Errorf("the cmp-server serves %s, want %s", srv.PluginName, e2e.PluginName)
			}
			cfg, err := srv.MustDial(t).CheckPluginConfiguration(e2e.Ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if !cfg.DiscoveryConfigured || cfg.ProvideGitCreds {
				t.Errorf("CheckPluginConfiguration = %+v, want discovery and no git credentials", cfg)
			}
		})
	}
}

// discoveryRepo is a repository with one hookgen app and the kinds of apps
// hookgen must leave to Argo CD's other tools.
var discoveryRepo = map[string]string{
	"apps/hooks/hookgen.yaml":           "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks: []\n",
	"apps/hooks/deployment.yaml":        deploymentYAML,
	"apps/plain/deployment.yaml":        deploymentYAML,
	"apps/helm/Chart.yaml":              "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
	"apps/helm/values.yaml":             "replicas: 1\n",
	"apps/helm/templates/cm.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shop}\n",
	"apps/kustomize/kustomization.yaml": "resources: [deployment.yaml]\n",
	"apps/kustomize/deployment.yaml":    deploymentYAML,
	// A spec one level down does not make the parent a hookgen app.
	"apps/parent/child/hookgen.yaml": "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks: []\n",
	"apps/parent/deployment.yaml":    deploymentYAML,
	// Only the exact file name counts.
	"apps/yml/hookgen.yml":      "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks: []\n",
	"apps/yml/deployment.yaml":  deploymentYAML,
	"hookgen.yaml":              "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks: []\n",
	"README.md":                 "discovery fixture\n",
	"apps/hooks/more/notes.txt": "\n",
}

const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
`

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestDiscovery runs the plugin's discovery in both cmp-servers the way the
// repo-server does: for an Application without a source type (auto
// discovery over every plugin socket) and for one naming hookgen-v1, whose
// discovery rule Argo CD still checks. Only the directory holding a
// hookgen.yaml matches; plain manifests, Helm charts, Kustomize
// directories, a parent of a hookgen app and a hookgen.yml do not.
func TestDiscovery(t *testing.T) {
	repo := writeTree(t, discoveryRepo)
	want := map[string]bool{
		"apps/hooks": true, ".": true,
		"apps/plain": false, "apps/helm": false, "apps/kustomize": false, "apps/parent": false, "apps/yml": false,
	}
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			t.Parallel()
			srv := e2e.Sidecar(t, argo, e2e.DefaultSidecar())
			c := srv.MustDial(t)
			ctx := e2e.Ctx(t)
			for path, match := range want {
				app := discoveryApp(path, "")
				env, err := cmpserver.DiscoveryEnv(app, cmpserver.AppEnvOptions{Flavor: argo.Flavor(), Revision: e2e.Revision})
				if err != nil {
					t.Fatal(err)
				}
				repoArg := cmpserver.Repo{Root: repo, AppPath: path}
				m, err := c.MatchRepository(ctx, repoArg, env)
				if err != nil {
					t.Fatalf("MatchRepository(%s): %v", path, err)
				}
				if m.Supported != match || !m.DiscoveryEnabled {
					t.Errorf("MatchRepository(%s) = %+v, want supported=%v with discovery enabled", path, m, match)
				}

				// Auto discovery: the repo-server tries every plugin socket.
				d, err := cmpserver.Detect(ctx, srv.SocketDir, "", repoArg, env)
				if match {
					if err != nil {
						t.Errorf("auto discovery of %s: %v", path, err)
					} else {
						d.Close()
					}
				} else if err == nil || !strings.Contains(err.Error(), "could not find plugin supporting the given repository") {
					t.Errorf("auto discovery of %s picked hookgen (err %v)", path, err)
					if d != nil {
						d.Close()
					}
				}

				// A named plugin: Argo CD still requires its discovery rule
				// to match, with the full generate environment.
				named := discoveryApp(path, e2e.PluginName)
				env, err = cmpserver.AppEnv(named, cmpserver.AppEnvOptions{Flavor: argo.Flavor(), Revision: e2e.Revision, APIVersions: e2e.APIVersions})
				if err != nil {
					t.Fatal(err)
				}
				d, err = cmpserver.Detect(ctx, srv.SocketDir, e2e.PluginName, repoArg, env)
				if match {
					if err != nil {
						t.Errorf("plugin %s for %s: %v", e2e.PluginName, path, err)
					} else {
						d.Close()
					}
				} else {
					wantErr := `couldn't find cmp-server plugin with name "` + e2e.PluginName + `" supporting the given repository`
					if err == nil || err.Error() != wantErr {
						t.Errorf("plugin %s for %s: error %v, want %q", e2e.PluginName, path, err, wantErr)
					}
					if d != nil {
						d.Close()
					}
				}
			}
		})
	}
}

func discoveryApp(path, pluginName string) *v1alpha1.Application {
	app := &v1alpha1.Application{
		ObjectMeta: metav1.ObjectMeta{Name: "discovery", Namespace: "argocd"},
		Spec: v1alpha1.ApplicationSpec{
			Project:     "default",
			Destination: v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: "discovery"},
			Source: &v1alpha1.ApplicationSource{
				RepoURL: "https://git.example.com/acme/deploy.git", Path: path, TargetRevision: "main",
			},
		},
	}
	if pluginName != "" {
		app.Spec.Source.Plugin = &v1alpha1.ApplicationSourcePlugin{Name: pluginName}
	}
	return app
}

// TestNamedOnlyPlugin runs the plugin.yaml of the named-only install
// component (manifests/components/named-only) in both cmp-servers: Argo CD
// reads and validates it, the server says discovery is not configured, the
// repo-server's choice (cmpSupports) takes it for any Application that
// names it and for none that does not, and it generates as the default
// plugin.yaml does.
func TestNamedOnlyPlugin(t *testing.T) {
	dir := filepath.Join(e2e.Env.Root, "manifests", "components", "named-only")
	cfg, err := plugin.ReadPluginConfig(dir)
	if err != nil {
		t.Fatalf("Argo CD cannot read the named-only plugin.yaml: %v", err)
	}
	if err := plugin.ValidatePluginConfig(*cfg); err != nil {
		t.Errorf("ValidatePluginConfig: %v", err)
	}
	repo := writeTree(t, discoveryRepo)
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			t.Parallel()
			srv := e2e.PrivateSidecarConfig(t, argo, dir, e2e.DefaultSidecar())
			c := srv.MustDial(t)
			ctx := e2e.Ctx(t)
			pc, err := c.CheckPluginConfiguration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if pc.DiscoveryConfigured {
				t.Errorf("CheckPluginConfiguration = %+v, want no discovery", pc)
			}
			for _, path := range []string{"apps/hooks", "apps/plain"} {
				repoArg := cmpserver.Repo{Root: repo, AppPath: path}
				env, err := cmpserver.DiscoveryEnv(discoveryApp(path, ""), cmpserver.AppEnvOptions{Flavor: argo.Flavor(), Revision: e2e.Revision})
				if err != nil {
					t.Fatal(err)
				}
				if d, err := cmpserver.Detect(ctx, srv.SocketDir, "", repoArg, env); err == nil {
					d.Close()
					t.Errorf("auto discovery of %s picked the named-only plugin", path)
				}
				named := discoveryApp(path, e2e.PluginName)
				env, err = cmpserver.AppEnv(named, cmpserver.AppEnvOptions{Flavor: argo.Flavor(), Revision: e2e.Revision, APIVersions: e2e.APIVersions})
				if err != nil {
					t.Fatal(err)
				}
				d, err := cmpserver.Detect(ctx, srv.SocketDir, e2e.PluginName, repoArg, env)
				if err != nil {
					t.Fatalf("plugin %s for %s: %v", e2e.PluginName, path, err)
				}
				d.Close()
				if path != "apps/hooks" {
					continue
				}
				out, err := c.GenerateManifest(ctx, repoArg, env)
				if err != nil {
					t.Fatalf("generate %s: %v", path, err)
				}
				if len(out) != 1 || !strings.Contains(out[0], `"kind":"Deployment"`) {
					t.Errorf("generate %s = %q, want the app's Deployment", path, out)
				}
			}
		})
	}
}
