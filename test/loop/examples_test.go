package loop

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	"sigs.k8s.io/yaml"
)

// examplesRepo is the repository URL the example Applications name: their
// path sources are this checkout's directories.
const examplesRepo = "https://github.com/hookgen/hookgen.git"

// exampleApp reads an Application of examples/argocd and turns it into an
// App of the loop: the same sources (this checkout's directories, Helm
// settings, plugin env and parameters). name replaces the Application's
// name and destination namespace, so that examples do not share one.
func exampleApp(t *testing.T, file, name string) (App, *v1alpha1.Application) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "argocd", file))
	if err != nil {
		t.Fatal(err)
	}
	var a v1alpha1.Application
	if err := yaml.UnmarshalStrict(b, &a); err != nil {
		t.Fatalf("examples/argocd/%s: %v", file, err)
	}
	srcs := a.Spec.Sources
	if a.Spec.Source != nil {
		srcs = v1alpha1.ApplicationSources{*a.Spec.Source}
	}
	app := App{Name: name, Namespace: name}
	for _, s := range srcs {
		if s.RepoURL != examplesRepo || s.Path == "" || s.Chart != "" {
			t.Fatalf("examples/argocd/%s: source %s %s%s is not a directory of this repository", file, s.RepoURL, s.Path, s.Chart)
		}
		src := Source{Dir: filepath.Join("..", "..", filepath.FromSlash(s.Path)), Helm: s.Helm}
		if s.Plugin != nil {
			if s.Plugin.Name != PluginName {
				t.Fatalf("examples/argocd/%s: plugin %q, want %q", file, s.Plugin.Name, PluginName)
			}
			src.Hookgen = true
			for _, e := range s.Plugin.Env {
				if app.Env == nil {
					app.Env = map[string]string{}
				}
				app.Env[e.Name] = e.Value
			}
			app.Params = s.Plugin.Parameters
		}
		app.Sources = append(app.Sources, src)
	}
	return app, &a
}

// syncExample syncs an example once and checks what every example
// promises: the sync succeeds, the app ends Synced and Healthy, and every
// hook Job of a sync phase that hookgen validate lists ran and succeeded.
func syncExample(t *testing.T, e *env, app App) *SyncReport {
	t.Helper()
	r := e.prepare(t, app)
	if len(r.Problems) > 0 {
		t.Fatalf("hookgen validate: %q", r.Problems)
	}
	rep := e.sync(t, r, "Succeeded")
	if rep.SyncStatus != "Synced" || rep.Health != "Healthy" {
		t.Errorf("application %s/%s after the sync, want Synced/Healthy", rep.SyncStatus, rep.Health)
	}
	var ran int
	for _, j := range r.Jobs {
		switch j.Phase {
		case "PreSync", "Sync", "PostSync":
		default:
			continue
		}
		ran++
		if j.GenerateName {
			// A fresh name every sync: find it by its prefix.
			i := slices.IndexFunc(rep.Events, func(ev Event) bool {
				return ev.Kind == "Job" && strings.HasPrefix(ev.Name, j.Name) && ev.Phase == "Succeeded"
			})
			if i < 0 {
				t.Errorf("no Job %s* succeeded:\n%s", j.Name, EventList(rep.Events))
			}
			continue
		}
		wantHook(t, rep, j.Name, j.Phase, "Succeeded")
	}
	if ran == 0 {
		t.Errorf("the example has no hook that runs in a sync: Jobs %v", r.Jobs)
	}
	return rep
}

// example-shop: examples/argocd/single-source.yaml. The migrations
// ConfigMap (an annotate: rule makes it a PreSync hook of wave -2) is in
// place before the migration starts; the Application's hook.smoke
// parameter sets the smoke test's image.
func testExampleShop(t *testing.T, e *env) {
	app, _ := exampleApp(t, "single-source.yaml", "example-shop")
	rep := syncExample(t, e, app)
	for _, k := range []string{"ConfigMap", "Service", "Deployment"} {
		wantSynced(t, rep, k, "shop")
	}
	if r := resource(rep, "ConfigMap", "shop-migrations"); r == nil || r.HookType != "PreSync" {
		t.Errorf("ConfigMap shop-migrations is not a PreSync hook: %+v", r)
	}
	inOrder(t, rep.Events,
		step{"shop-migrations created", added("ConfigMap", "shop-migrations")},
		step{"migrate-presync created", added("Job", "migrate-presync")},
		step{"migrate-presync succeeded", inPhase("Job", "migrate-presync", "Succeeded")},
		step{"first app object applied", appObject},
		step{"Deployment available", inPhase("Deployment", "shop", "Available")},
		step{"smoke-postsync created", added("Job", "smoke-postsync")},
	)
	smoke := container(object(rep.Events, "Job", "smoke-postsync"))["image"]
	if want := app.Params[0].OptionalMap.Map["image"]; smoke != want {
		t.Errorf("smoke-postsync runs %v, want the Application's hook.smoke image %s", smoke, want)
	}
}

// example-shop-helm: examples/argocd/multi-source.yaml, the chart of
// examples/shop-chart plus the hooks-only examples/hooks-only. Argo CD
// turns the chart's Helm pre-install hook (weight -5) into a PreSync hook
// that precedes the migration (wave -1).
func testExampleShopHelm(t *testing.T, e *env) {
	app, _ := exampleApp(t, "multi-source.yaml", "example-shop-helm")
	rep := syncExample(t, e, app)
	wantSynced(t, rep, "Service", "shop")
	wantSynced(t, rep, "Deployment", "shop")
	if r := resource(rep, "ConfigMap", "shop-migrations"); r == nil || r.HookType != "PreSync" {
		t.Errorf("the chart's ConfigMap shop-migrations is not a PreSync hook: %+v", r)
	}
	inOrder(t, rep.Events,
		step{"shop-migrations created", added("ConfigMap", "shop-migrations")},
		step{"migrate-presync created", added("Job", "migrate-presync")},
		step{"migrate-presync succeeded", inPhase("Job", "migrate-presync", "Succeeded")},
		step{"first app object applied", func(ev Event) bool { return appObject(ev) && ev.Name != "shop-migrations" }},
		step{"Deployment available", inPhase("Deployment", "shop", "Available")},
		step{"smoke-postsync created", added("Job", "smoke-postsync")},
	)
	a, err := e.s.App(e.ctx(t), app.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Status.SourceTypes; !slices.Equal(got, []v1alpha1.ApplicationSourceType{"Helm", "Plugin"}) {
		t.Errorf("source types %q, want [Helm Plugin]", got)
	}
}

// example-notifications: examples/notifications through the single-source
// Application, without its env and parameters. The e-mail Job runs in
// namespace argocd; both are generateName Jobs.
func testExampleNotifications(t *testing.T, e *env) {
	app, _ := exampleApp(t, "single-source.yaml", "example-notifications")
	app.Sources[0].Dir = filepath.Join("..", "..", "examples", "notifications")
	app.Env, app.Params = nil, nil
	rep := syncExample(t, e, app)
	wantSynced(t, rep, "Deployment", "storefront")
	wantSynced(t, rep, "Service", "storefront")
	i := slices.IndexFunc(rep.Events, func(ev Event) bool {
		return ev.Kind == "Job" && strings.HasPrefix(ev.Name, "deploy-mail-postsync-") && ev.Namespace == "argocd"
	})
	if i < 0 {
		t.Errorf("no deploy-mail Job in namespace argocd:\n%s", EventList(rep.Events))
	}
}
