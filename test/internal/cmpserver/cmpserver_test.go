package cmpserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/proc"
)

// catPlugin prints every *.yaml file of the app directory; apps opt in with
// a catme.txt file. cat does not separate documents, so each fixture file
// starts with "---" (without it the cmp-server parses the concatenation as
// one object with merged keys).
const catPlugin = `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: cat
spec:
  version: v1.0
  generate:
    command: [sh, -c, "cat *.yaml"]
  discover:
    fileName: "./catme.txt"
  parameters:
    static:
    - name: greeting
      title: Greeting
      string: hello
`

const jobYAML = `---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: [sh, -c, "true"]
`

const cmYAML = `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  key: value
`

var argos = []cmpserver.Argo{cmpserver.ArgoV2, cmpserver.ArgoV3}

func TestMain(m *testing.M) { os.Exit(cmpserver.Main(m)) }

// writeRepo creates a repository tree: apps/demo (opted in, two objects) and
// apps/other (no catme.txt).
func writeRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"apps/demo/catme.txt":  "",
		"apps/demo/a-job.yaml": jobYAML,
		"apps/demo/b-cm.yaml":  cmYAML,
		"apps/other/cm.yaml":   cmYAML,
		"README.md":            "fixture\n",
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestCatPlugin(t *testing.T) {
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			t.Parallel()
			repo := writeRepo(t)
			start := time.Now()
			srv := cmpserver.Start(t, cmpserver.Options{Argo: argo, PluginYAML: []byte(catPlugin)})
			t.Logf("%s serving %s in %s", argo, srv.Socket, time.Since(start).Round(time.Millisecond))
			if srv.PluginName != "cat-v1.0" {
				t.Errorf("PluginName = %q, want cat-v1.0", srv.PluginName)
			}
			c := srv.MustDial(t)
			ctx := ctxT(t)

			cfg, err := c.CheckPluginConfiguration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !cfg.DiscoveryConfigured || cfg.ProvideGitCreds {
				t.Errorf("CheckPluginConfiguration = %+v, want discovery and no git creds", cfg)
			}

			m, err := c.MatchRepository(ctx, cmpserver.Repo{Root: repo, AppPath: "apps/demo"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !m.Supported || !m.DiscoveryEnabled {
				t.Errorf("MatchRepository(apps/demo) = %+v, want supported", m)
			}
			m, err = c.MatchRepository(ctx, cmpserver.Repo{Root: repo, AppPath: "apps/other"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if m.Supported {
				t.Errorf("MatchRepository(apps/other) = %+v, want not supported", m)
			}

			start = time.Now()
			manifests, err := c.GenerateManifest(ctx, cmpserver.Repo{Root: repo, AppPath: "apps/demo"}, []string{"ARGOCD_APP_NAME=demo"})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("GenerateManifest took %s", time.Since(start).Round(time.Millisecond))
			if len(manifests) != 2 {
				t.Fatalf("got %d manifests, want 2: %q", len(manifests), manifests)
			}
			// The server returns one JSON document per object.
			var job map[string]any
			if err := json.Unmarshal([]byte(manifests[0]), &job); err != nil {
				t.Fatalf("manifest 0 is not JSON: %v\n%s", err, manifests[0])
			}
			if job["kind"] != "Job" {
				t.Errorf("manifest 0 kind = %v, want Job", job["kind"])
			}
			objs, err := cmpserver.Objects(manifests)
			if err != nil {
				t.Fatal(err)
			}
			if objs[0].GetAnnotations()["argocd.argoproj.io/hook"] != "PreSync" || objs[1].GetName() != "settings" {
				t.Errorf("objects = %v / %v", objs[0].Object, objs[1].Object)
			}

			params, err := c.GetParametersAnnouncement(ctx, cmpserver.Repo{Root: repo, AppPath: "apps/demo"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(params) != 1 || params[0].Name != "greeting" || params[0].String != "hello" || params[0].Title != "Greeting" {
				t.Errorf("parameters = %+v", params)
			}
		})
	}
}

func TestFailingCommandStderrReachesClient(t *testing.T) {
	const plugin = `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata: {name: broken}
spec:
  generate:
    command: [sh, -c, "echo this-went-to-stdout; echo 'hookgen: boom on stderr' >&2; exit 3"]
`
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			t.Parallel()
			repo := writeRepo(t)
			srv := cmpserver.Start(t, cmpserver.Options{Argo: argo, PluginYAML: []byte(plugin)})
			if srv.PluginName != "broken" {
				t.Errorf("PluginName = %q", srv.PluginName)
			}
			c := srv.MustDial(t)
			_, err := c.GenerateManifest(ctxT(t), cmpserver.Repo{Root: repo, AppPath: "apps/demo"}, nil)
			if err == nil {
				t.Fatal("GenerateManifest succeeded for a failing command")
			}
			var ce *cmpserver.CMPError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CMPError", err)
			}
			t.Logf("client error: %v", err)
			if !strings.Contains(ce.Message, "hookgen: boom on stderr") {
				t.Errorf("stderr missing from the error: %q", ce.Message)
			}
			if !strings.Contains(ce.Message, "exit status 3") {
				t.Errorf("exit status missing from the error: %q", ce.Message)
			}
		})
	}
}

func TestInvalidOutputIsAnError(t *testing.T) {
	const plugin = `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata: {name: garbage}
spec:
  generate:
    command: [sh, -c, "printf 'kind: [unclosed\n'"]
`
	repo := writeRepo(t)
	srv := cmpserver.Start(t, cmpserver.Options{PluginYAML: []byte(plugin)})
	_, err := srv.MustDial(t).GenerateManifest(ctxT(t), cmpserver.Repo{Root: repo, AppPath: "apps/demo"}, nil)
	if err == nil {
		t.Fatal("invalid YAML output was accepted")
	}
	t.Logf("client error: %v", err)
}

// envPlugin renders part of its environment into a ConfigMap.
const envPlugin = `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata: {name: envdump}
spec:
  generate:
    command: [sh, -c]
    args:
    - |
      cat <<EOF
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: env}
      data:
        app: "$ARGOCD_APP_NAME"
        namespace: "$ARGOCD_APP_NAMESPACE"
        project: "$ARGOCD_APP_PROJECT_NAME"
        revision: "$ARGOCD_APP_REVISION_SHORT"
        kube: "$KUBE_VERSION"
        foo: "$ARGOCD_ENV_FOO"
        emptyIsSet: "${ARGOCD_ENV_EMPTY+set}"
        params: '$ARGOCD_APP_PARAMETERS'
        tag: "$PARAM_IMAGE_TAG"
        pwd: "$(basename "$PWD")"
      EOF
  discover:
    find:
      glob: "**/*.yaml"
`

func demoApp() *v1alpha1.Application {
	tag := "v1.2.3"
	return &v1alpha1.Application{
		ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: "argocd"},
		Spec: v1alpha1.ApplicationSpec{
			Project:     "team-a",
			Destination: v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: "demo-ns"},
			Source: &v1alpha1.ApplicationSource{
				RepoURL:        "https://example.com/repo.git",
				Path:           "apps/demo",
				TargetRevision: "main",
				Plugin: &v1alpha1.ApplicationSourcePlugin{
					Name: "envdump",
					Env: v1alpha1.Env{
						{Name: "FOO", Value: "${ARGOCD_APP_NAME}-x $$HOME"},
						{Name: "EMPTY", Value: ""},
					},
					Parameters: v1alpha1.ApplicationSourcePluginParameters{
						{Name: "image.tag", String_: &tag},
					},
				},
			},
		},
	}
}

func TestGenerateForAppEnv(t *testing.T) {
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			t.Parallel()
			repo := writeRepo(t)
			srv := cmpserver.Start(t, cmpserver.Options{Argo: argo, PluginYAML: []byte(envPlugin)})
			res, err := cmpserver.GenerateForApp(ctxT(t), srv.SocketDir, demoApp(), repo, cmpserver.AppEnvOptions{
				Flavor:   argo.Flavor(),
				Revision: "0123456789abcdef0123456789abcdef01234567",
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("env sent: %q", res.Env)
			if len(res.Objects) != 1 {
				t.Fatalf("got %d objects", len(res.Objects))
			}
			data := res.Objects[0].Object["data"].(map[string]any)
			want := map[string]string{
				"app":       "demo",
				"namespace": "demo-ns",
				"revision":  "0123456",
				"foo":       "demo-x $HOME",
				"params":    `[{"name":"image.tag","string":"v1.2.3"}]`,
				"tag":       "v1.2.3",
				"pwd":       "demo",
				"kube":      "1.37",
			}
			if argo == cmpserver.ArgoV3 {
				// v3 sends the project; its cmp-server also passes empty
				// values, which v2's cmp-server drops.
				want["project"] = "team-a"
				want["emptyIsSet"] = "set"
			} else {
				want["project"] = ""
				want["emptyIsSet"] = ""
			}
			for k, v := range want {
				if got := data[k]; got != v {
					t.Errorf("data[%s] = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestDetectAmongSeveralPlugins(t *testing.T) {
	repo := writeRepo(t)
	sockets := proc.TestShortTempDir(t, "socks")
	broken := `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata: {name: a-nodiscovery}
spec:
  generate: {command: [sh, -c, "exit 1"]}
`
	cmpserver.Start(t, cmpserver.Options{PluginYAML: []byte(broken), SocketDir: sockets})
	cat := cmpserver.Start(t, cmpserver.Options{PluginYAML: []byte(catPlugin), SocketDir: sockets})
	ctx := ctxT(t)

	// Unnamed: the plugin without discovery is skipped, cat matches apps/demo.
	c, err := cmpserver.Detect(ctx, sockets, "", cmpserver.Repo{Root: repo, AppPath: "apps/demo"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Socket != cat.Socket {
		t.Errorf("detected %s, want %s", c.Socket, cat.Socket)
	}
	c.Close()

	// Nothing matches apps/other.
	if _, err := cmpserver.Detect(ctx, sockets, "", cmpserver.Repo{Root: repo, AppPath: "apps/other"}, nil); err == nil ||
		!strings.Contains(err.Error(), "could not find plugin supporting the given repository") {
		t.Errorf("Detect(apps/other) error = %v", err)
	}
	// A named plugin with discovery rules must still match.
	if _, err := cmpserver.Detect(ctx, sockets, "cat-v1.0", cmpserver.Repo{Root: repo, AppPath: "apps/other"}, nil); err == nil {
		t.Error("named plugin was used although its discovery rules do not match")
	}
	// A named plugin without discovery rules is always used.
	c, err = cmpserver.Detect(ctx, sockets, "a-nodiscovery", cmpserver.Repo{Root: repo, AppPath: "apps/other"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestAppEnvFlavors(t *testing.T) {
	app := demoApp()
	app.Namespace = "apps"
	env, err := cmpserver.AppEnv(app, cmpserver.AppEnvOptions{Flavor: cmpserver.V3, Revision: "abc", KubeVersion: "v1.37.2+k3s1", APIVersions: []string{"apps/v1", "apps/v1/Deployment"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ARGOCD_APP_NAME=apps_demo",
		"ARGOCD_APP_NAMESPACE=demo-ns",
		"ARGOCD_APP_PROJECT_NAME=team-a",
		"ARGOCD_APP_REVISION=abc",
		"ARGOCD_APP_REVISION_SHORT=abc",
		"ARGOCD_APP_REVISION_SHORT_8=abc",
		"ARGOCD_APP_SOURCE_REPO_URL=https://example.com/repo.git",
		"ARGOCD_APP_SOURCE_PATH=apps/demo",
		"ARGOCD_APP_SOURCE_TARGET_REVISION=main",
		"KUBE_VERSION=1.37.2",
		"KUBE_API_VERSIONS=apps/v1,apps/v1/Deployment",
		"ARGOCD_ENV_FOO=apps_demo-x $HOME",
		"ARGOCD_ENV_EMPTY=",
		`ARGOCD_APP_PARAMETERS=[{"name":"image.tag","string":"v1.2.3"}]`,
		"PARAM_IMAGE_TAG=v1.2.3",
	}
	if strings.Join(env, "\n") != strings.Join(want, "\n") {
		t.Errorf("AppEnv(V3) =\n%s\nwant\n%s", strings.Join(env, "\n"), strings.Join(want, "\n"))
	}
	env2, err := cmpserver.AppEnv(app, cmpserver.AppEnvOptions{Revision: "abc", KubeVersion: "v1.37.2+k3s1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range env2 {
		if strings.HasPrefix(e, "ARGOCD_APP_PROJECT_NAME=") {
			t.Errorf("V2 env has %s", e)
		}
		// v2 only removes "+" (util/text.SemVer).
		if strings.HasPrefix(e, "KUBE_VERSION=") && e != "KUBE_VERSION=v1.37.2k3s1" {
			t.Errorf("V2 env has %s, want KUBE_VERSION=v1.37.2k3s1", e)
		}
	}
	ann, err := cmpserver.AnnouncementEnv(app, cmpserver.AppEnvOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ann) != 8 || ann[0] != "ARGOCD_APP_NAME=apps_demo" {
		t.Errorf("AnnouncementEnv = %q", ann)
	}
}
