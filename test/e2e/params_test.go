package e2e_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v2/cmpserver/plugin"
	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hookgen/hookgen/test/e2e"
	"github.com/hookgen/hookgen/test/internal/cmpserver"
)

// staticParameters reads plugin.yaml's static parameters with Argo CD's
// config reader.
func staticParameters(t *testing.T) []cmpserver.Parameter {
	t.Helper()
	cfg, err := plugin.ReadPluginConfig(e2e.Env.Root)
	if err != nil {
		t.Fatal(err)
	}
	var out []cmpserver.Parameter
	for _, p := range cfg.Spec.Parameters.Static {
		out = append(out, cmpserver.Parameter{
			Name: p.Name, Title: p.Title, Tooltip: p.Tooltip, Required: p.Required,
			ItemType: p.ItemType, CollectionType: p.CollectionType,
			String: p.String_, Array: p.Array, Map: p.Map,
		})
	}
	return out
}

func parseAnnouncements(t *testing.T, data []byte) []cmpserver.Parameter {
	t.Helper()
	var out []cmpserver.Parameter
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("hookgen parameters does not print a JSON list of announcements: %v\n%s", err, data)
	}
	return out
}

// sameParameters compares announcements as JSON (empty lists and maps
// are left out, as gRPC drops them).
func sameParameters(t *testing.T, got, want []cmpserver.Parameter) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	if string(g) != string(w) {
		t.Errorf("Argo CD announces:\n%s\nwant:\n%s", g, w)
	}
}

// TestGoldenParametersThroughArgoCD asks both cmp-servers for the
// announcements of every golden case that has a parameters.json, with the
// reduced environment the repo-server sends for announcements (no
// namespace, revision, project or cluster version): the dynamic part is
// parameters.json, the static part plugin.yaml's, in that order.
func TestGoldenParametersThroughArgoCD(t *testing.T) {
	static := staticParameters(t)
	n := 0
	for _, c := range goldenCases(t) {
		if c.Parameters == nil {
			continue
		}
		n++
		for _, argo := range argos {
			t.Run(c.Name+"/"+string(argo), func(t *testing.T) {
				t.Parallel()
				var env []string
				for _, e := range c.ArgoEnv {
					k, _, _ := strings.Cut(e, "=")
					switch {
					case k == "ARGOCD_APP_NAME", k == "ARGOCD_APP_SOURCE_REPO_URL", k == "ARGOCD_APP_SOURCE_PATH", k == "ARGOCD_APP_SOURCE_TARGET_REVISION",
						strings.HasPrefix(k, "ARGOCD_ENV_"):
						env = append(env, e)
					}
				}
				srv := e2e.Sidecar(t, argo, c.Sidecar)
				got, err := srv.MustDial(t).GetParametersAnnouncement(e2e.Ctx(t), cmpserver.Repo{Root: c.Repo, AppPath: c.AppPath}, env)
				if err != nil {
					t.Fatalf("Argo CD: %v", err)
				}
				sameParameters(t, got, append(parseAnnouncements(t, c.Parameters), static...))
			})
		}
	}
	if n == 0 {
		t.Fatal("no golden case has a parameters.json")
	}
}

// paramsApp is the Application of the golden case "params": hooks
// migrate, smoke and seed (declared with enabled: false).
func paramsApp(params v1alpha1.ApplicationSourcePluginParameters) *v1alpha1.Application {
	return &v1alpha1.Application{
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "argocd"},
		Spec: v1alpha1.ApplicationSpec{
			Project:     "default",
			Destination: v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: "shop"},
			Source: &v1alpha1.ApplicationSource{
				RepoURL: "https://git.example.com/acme/shop.git", Path: "app", TargetRevision: "HEAD",
				Plugin: &v1alpha1.ApplicationSourcePlugin{Name: e2e.PluginName, Parameters: params},
			},
		},
	}
}

// array is an array parameter; no items is an empty list, as a UI edit
// stores it (array: []), not a missing one.
func array(items ...string) *v1alpha1.OptionalArray {
	return &v1alpha1.OptionalArray{Array: append([]string{}, items...)}
}

func mapParam(m map[string]string) *v1alpha1.OptionalMap { return &v1alpha1.OptionalMap{Map: m} }

// TestParametersChangeTheOutput sets the plugin parameters of an
// Application the way Argo CD's UI or CLI stores them
// (spec.source.plugin.parameters) and lets the repo-server's encoding
// (ApplicationSourcePluginParameters.Environ: ARGOCD_APP_PARAMETERS as JSON
// plus PARAM_* variables) carry them to hookgen through both real
// cmp-servers. disable turns a hook off, enable turns on one declared
// with enabled: false, hook.<name> overrides the hook's template
// parameters, as docs/settings.md documents; the result is what hookgen
// generate prints directly, and under Argo CD 3 (which sends the project)
// exactly the golden output of the case "params", whose env file holds
// the same parameters.
func TestParametersChangeTheOutput(t *testing.T) {
	var c e2e.Case
	for _, gc := range goldenCases(t) {
		if gc.Name == "params" {
			c = gc
		}
	}
	if c.Name == "" {
		t.Fatal("golden case params is missing")
	}
	params := v1alpha1.ApplicationSourcePluginParameters{
		{Name: "disable", OptionalArray: array("smoke")},
		{Name: "enable", OptionalArray: array("seed")},
		{Name: "hook.migrate", OptionalMap: mapParam(map[string]string{"image": "ghcr.io/acme/shop:3.2.0", "command": "[shop, migrate, up, --dry-run=false]"})},
		{Name: "hook.seed", OptionalMap: mapParam(map[string]string{"args": "[--dataset, $(app.name)-staging]"})},
	}
	opts := func(argo cmpserver.Argo) cmpserver.AppEnvOptions {
		// The golden env's revision and cluster version.
		return cmpserver.AppEnvOptions{Flavor: argo.Flavor(), Revision: c.Env("ARGOCD_APP_REVISION"), KubeVersion: c.Env("KUBE_VERSION")}
	}
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			t.Parallel()
			srv := e2e.Sidecar(t, argo, c.Sidecar)
			generate := func(app *v1alpha1.Application) ([]*unstructured.Unstructured, []string) {
				t.Helper()
				res, err := cmpserver.GenerateForApp(e2e.Ctx(t), srv.SocketDir, app, c.Repo, opts(argo))
				if err != nil {
					t.Fatalf("Argo CD: %v", err)
				}
				direct := e2e.Direct(t, argo, c.Sidecar, c.AppDir(), res.Env, "generate")
				if direct.Code != 0 {
					t.Fatalf("hookgen generate run directly exits %d:\n%s", direct.Code, direct.Stderr)
				}
				e2e.SameObjects(t, "Argo CD", "hookgen generate", res.Objects, e2e.Objects(t, direct.Stdout))
				return res.Objects, res.Env
			}

			plain, _ := generate(paramsApp(nil))
			if got := jobNames(plain); !slices.Equal(got, []string{"migrate-presync", "smoke-postsync"}) {
				t.Errorf("without parameters Argo CD receives the Jobs %v, want [migrate-presync smoke-postsync]", got)
			}
			if img := containerField(t, plain, "migrate-presync", "image"); img != "ghcr.io/acme/shop:3.1.0" {
				t.Errorf("without parameters migrate runs %v", img)
			}

			objs, env := generate(paramsApp(params))
			wantJSON, err := json.Marshal(params)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"ARGOCD_APP_PARAMETERS=" + string(wantJSON), "PARAM_DISABLE_0=smoke", "PARAM_ENABLE_0=seed", "PARAM_HOOK_MIGRATE_IMAGE=ghcr.io/acme/shop:3.2.0"} {
				if !slices.Contains(env, want) {
					t.Errorf("the repo-server's environment lacks %s: %q", want, env)
				}
			}
			if got := jobNames(objs); !slices.Equal(got, []string{"migrate-presync", "seed-postsync"}) {
				t.Errorf("with disable [smoke] and enable [seed] Argo CD receives the Jobs %v, want [migrate-presync seed-postsync]", got)
			}
			if img := containerField(t, objs, "migrate-presync", "image"); img != "ghcr.io/acme/shop:3.2.0" {
				t.Errorf("hook.migrate sets the image ghcr.io/acme/shop:3.2.0; migrate runs %v", img)
			}
			if cmd := containerField(t, objs, "migrate-presync", "command"); !equalList(cmd, "shop", "migrate", "up", "--dry-run=false") {
				t.Errorf("hook.migrate sets the command; migrate runs %v", cmd)
			}
			if args := containerField(t, objs, "seed-postsync", "args"); !equalList(args, "--dataset", "shop-staging") {
				t.Errorf("hook.seed sets args [--dataset, $(app.name)-staging]; seed runs %v", args)
			}
			if argo == cmpserver.ArgoV3 {
				e2e.SameObjects(t, "Argo CD", "params/expected.yaml", objs, e2e.Objects(t, c.Expected))
			}
		})
	}
}

func containerField(t *testing.T, objs []*unstructured.Unstructured, job, field string) any {
	t.Helper()
	j := e2e.JobNamed(objs, job)
	if j == nil {
		t.Fatalf("no Job %s among %v", job, jobNames(objs))
	}
	cs := e2e.Containers(j)
	if len(cs) != 1 {
		t.Fatalf("Job %s has %d containers", job, len(cs))
	}
	return cs[0][field]
}

func equalList(v any, want ...string) bool {
	list, ok := v.([]any)
	if !ok || len(list) != len(want) {
		return false
	}
	for i, w := range want {
		if list[i] != w {
			return false
		}
	}
	return true
}

// emptyRepo is an app whose hook reads the destination namespace and an
// Application plugin env.
var emptyRepo = map[string]string{
	"app/hookgen.yaml": `apiVersion: hookgen.dev/v1alpha1
kind: HookSet
hooks:
  - name: info
    uses: job
    phase: PostSync
    with:
      image: busybox:1.37
      command: [echo, "ns=[$(app.namespace)] team=[$(env.TEAM)]"]
`,
	"app/stage/hookgen.yaml": `apiVersion: hookgen.dev/v1alpha1
kind: HookSet
hooks:
  - name: info
    uses: job
    phase: PostSync
    with:
      image: busybox:1.37
      command: [echo, "stage=[$(env.STAGE)]"]
`,
}

func emptyApp(path, destNS string, env v1alpha1.Env, params v1alpha1.ApplicationSourcePluginParameters) *v1alpha1.Application {
	app := paramsApp(params)
	app.Spec.Source.Path = path
	app.Spec.Source.Plugin.Env = env
	app.Spec.Destination.Namespace = destNS
	return app
}

// TestEmptyValues covers where Argo CD 2 and 3 differ: the v2 cmp-server
// drops request variables with an empty value, v3 passes them.
//
// Where hookgen reads an absent and an empty value alike, both releases
// give the same Jobs: an Application without a destination namespace
// (ARGOCD_APP_NAMESPACE=""), with an empty plugin env value that is not
// used, and an empty disable list (ARGOCD_APP_PARAMETERS carries it,
// PARAM_DISABLE_* has nothing).
//
// Where it does not, the difference reaches the user: $(env.STAGE) with
// the Application's env STAGE="" is "" under Argo CD 3, and under Argo CD 2
// hookgen's error, which says why, in Argo CD's error text.
func TestEmptyValues(t *testing.T) {
	repo := writeTree(t, emptyRepo)
	outputs := map[cmpserver.Argo][]*unstructured.Unstructured{}
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			srv := e2e.Sidecar(t, argo, e2e.DefaultSidecar())
			params := v1alpha1.ApplicationSourcePluginParameters{{Name: "disable", OptionalArray: array()}}
			app := emptyApp("app", "", v1alpha1.Env{{Name: "TEAM", Value: "checkout"}, {Name: "UNUSED", Value: ""}}, params)
			res, err := cmpserver.GenerateForApp(e2e.Ctx(t), srv.SocketDir, app, repo, cmpserver.AppEnvOptions{Flavor: argo.Flavor(), Revision: e2e.Revision})
			if err != nil {
				t.Fatalf("Argo CD: %v", err)
			}
			paramsJSON, err := json.Marshal(params)
			if err != nil || !strings.Contains(string(paramsJSON), `"array":[]`) {
				t.Fatalf("Argo CD encodes the parameters as %s (%v)", paramsJSON, err)
			}
			for _, want := range []string{"ARGOCD_APP_NAMESPACE=", "ARGOCD_ENV_UNUSED=", "ARGOCD_APP_PARAMETERS=" + string(paramsJSON)} {
				if !slices.Contains(res.Env, want) {
					t.Errorf("the repo-server's environment lacks %s: %q", want, res.Env)
				}
			}
			direct := e2e.Direct(t, argo, e2e.DefaultSidecar(), repo+"/app", res.Env, "generate")
			e2e.SameObjects(t, "Argo CD", "hookgen generate", res.Objects, e2e.Objects(t, direct.Stdout))
			if cmd := containerField(t, res.Objects, "info-postsync", "command"); !equalList(cmd, "echo", "ns=[] team=[checkout]") {
				t.Errorf("info runs %v", cmd)
			}
			outputs[argo] = res.Objects

			stage := emptyApp("app/stage", "shop", v1alpha1.Env{{Name: "STAGE", Value: ""}}, nil)
			res, err = cmpserver.GenerateForApp(e2e.Ctx(t), srv.SocketDir, stage, repo, cmpserver.AppEnvOptions{Flavor: argo.Flavor(), Revision: e2e.Revision})
			direct = e2e.Direct(t, argo, e2e.DefaultSidecar(), repo+"/app/stage", mustAppEnv(t, stage, argo), "generate")
			switch argo.Flavor() {
			case cmpserver.V3:
				if err != nil {
					t.Fatalf("Argo CD 3: %v", err)
				}
				e2e.SameObjects(t, "Argo CD", "hookgen generate", res.Objects, e2e.Objects(t, direct.Stdout))
				if cmd := containerField(t, res.Objects, "info-postsync", "command"); !equalList(cmd, "echo", "stage=[]") {
					t.Errorf("info runs %v", cmd)
				}
			default:
				want := `app/stage/hookgen.yaml:9: hook "info": $(env.STAGE): the Application sets no plugin env STAGE (ARGOCD_ENV_STAGE); add it to spec.source.plugin.env (Argo CD 2.x drops empty values)`
				if err == nil || !strings.Contains(err.Error(), "`hookgen generate` failed exit status 1: "+want) {
					t.Errorf("Argo CD 2: error %v, want hookgen's %q", err, want)
				}
				if direct.Code != 1 || strings.TrimSpace(string(direct.Stderr)) != want {
					t.Errorf("hookgen generate run directly with Argo CD 2's environment: exit code %d, stderr %s", direct.Code, direct.Stderr)
				}
			}
		})
	}
	if len(outputs) == len(argos) {
		e2e.SameObjects(t, "Argo CD 2", "Argo CD 3", outputs[cmpserver.ArgoV2], outputs[cmpserver.ArgoV3])
	}
}

func mustAppEnv(t *testing.T, app *v1alpha1.Application, argo cmpserver.Argo) []string {
	t.Helper()
	env, err := cmpserver.AppEnv(app, cmpserver.AppEnvOptions{Flavor: argo.Flavor(), Revision: e2e.Revision})
	if err != nil {
		t.Fatal(err)
	}
	return env
}
