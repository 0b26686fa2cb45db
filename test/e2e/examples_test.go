package e2e_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	argopath "github.com/argoproj/argo-cd/v2/util/app/path"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hookgen/hookgen/test/e2e"
	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

// TestRepositoryPassesTheRepoServerChecks runs the check Argo CD's
// repo-server makes on every checkout before it generates anything
// (reposerver/repository: util/app/path.CheckOutOfBoundsSymlinks unless
// --allow-oob-symlinks): the Applications of examples/argocd point at this
// repository, so a symlink in it that is absolute or leads outside makes
// every one of them fail with "repository contains out-of-bounds
// symlinks".
func TestRepositoryPassesTheRepoServerChecks(t *testing.T) {
	if err := argopath.CheckOutOfBoundsSymlinks(e2e.Checkout(t)); err != nil {
		var oob *argopath.OutOfBoundsSymlinkError
		if errors.As(err, &oob) {
			t.Fatalf("Argo CD refuses this repository: repository contains out-of-bounds symlinks. file: %s", oob.File)
		}
		t.Fatalf("Argo CD refuses this repository: %v", err)
	}
}

// exampleApp is an example application and the Application that deploys
// it, as docs/install.md and examples/argocd show it.
type exampleApp struct {
	name string
	app  *v1alpha1.Application
	// check holds what the docs promise for this app.
	check func(t *testing.T, objs []*unstructured.Unstructured)
}

func exampleApps(t *testing.T) []exampleApp {
	t.Helper()
	single := e2e.ReadApplication(t, filepath.Join(e2e.Env.Root, "examples", "argocd", "single-source.yaml"))
	multi := e2e.ReadApplication(t, filepath.Join(e2e.Env.Root, "examples", "argocd", "multi-source.yaml"))

	// examples/notifications has no Application of its own: the
	// single-source one, pointed at it, without env and parameters.
	notifications := single.DeepCopy()
	notifications.Name = "storefront"
	notifications.Spec.Destination.Namespace = "storefront"
	notifications.Spec.Source.Path = "examples/notifications"
	notifications.Spec.Source.Plugin = &v1alpha1.ApplicationSourcePlugin{Name: e2e.PluginName}

	// Argo CD's "apps in any namespace": an Application outside the
	// controller's namespace reaches the plugin as <namespace>_<name>.
	anyNamespace := notifications.DeepCopy()
	anyNamespace.Namespace = "team-a"

	return []exampleApp{
		{name: "shop", app: single, check: func(t *testing.T, objs []*unstructured.Unstructured) {
			// parameters: hook.smoke map {image: curl 8.11.1}
			smoke := e2e.JobNamed(objs, "smoke-postsync")
			if smoke == nil {
				t.Fatal("no smoke-postsync Job")
			}
			if c := e2e.Containers(smoke); len(c) != 1 || c[0]["image"] != exampleSmokeImage {
				t.Errorf("hook.smoke sets the image %s; the Job's containers are %v", exampleSmokeImage, c)
			}
			if e2e.JobNamed(objs, "migrate-presync") == nil {
				t.Errorf("no migrate-presync Job; Jobs: %v", jobNames(objs))
			}
			if j := e2e.JobNamed(objs, "cleanup-postdelete"); j == nil || j.GetNamespace() != "ops" {
				t.Errorf("no cleanup-postdelete Job in namespace ops")
			}
			if kinds := appKinds(objs); !slices.Equal(kinds, []string{"ConfigMap", "ConfigMap", "Deployment", "Service"}) {
				t.Errorf("the app's own objects are %v", kinds)
			}
		}},
		{name: "hooks-only", app: e2e.SourceApp(t, multi, 1), check: func(t *testing.T, objs []*unstructured.Unstructured) {
			if kinds := appKinds(objs); len(kinds) != 0 {
				t.Errorf("a hooks-only source must add only hooks; Argo CD also receives %v", kinds)
			}
			if e2e.JobNamed(objs, "migrate-presync") == nil || e2e.JobNamed(objs, "smoke-postsync") == nil {
				t.Errorf("Jobs: %v", jobNames(objs))
			}
		}},
		{name: "notifications", app: notifications, check: func(t *testing.T, objs []*unstructured.Unstructured) {
			mail := e2e.JobNamed(objs, "deploy-mail-postsync-")
			if mail == nil || mail.GetNamespace() != "argocd" || mail.GetName() != "" {
				t.Errorf("deploy-mail must be a generateName Job in namespace argocd; Jobs: %v", jobNames(objs))
			}
			if e2e.JobNamed(objs, "slack-notify-postsync-") == nil {
				t.Errorf("no slack-notify Job; Jobs: %v", jobNames(objs))
			}
			// Both run the sidecar's runner image, with its command.
			if n := e2e.CheckRunnerCommands(t, objs); n != 2 {
				t.Errorf("%d containers run %s, want 2", n, e2e.DefaultRunnerImage)
			}
		}},
		{name: "notifications-in-team-a", app: anyNamespace, check: func(t *testing.T, objs []*unstructured.Unstructured) {
			if n := e2e.CheckRunnerCommands(t, objs); n != 2 {
				t.Errorf("%d containers run %s, want 2", n, e2e.DefaultRunnerImage)
			}
		}},
	}
}

// exampleSmokeImage is the image examples/argocd/single-source.yaml gives
// the smoke hook through its hook.smoke parameter.
const exampleSmokeImage = "docker.io/curlimages/curl:8.11.1@sha256:c1fe1679c34d9784c1b0d1e5f62ac0a79fca01fb6377cdd33e90473c6f9f9a69"

func appKinds(objs []*unstructured.Unstructured) []string {
	var kinds []string
	for _, o := range objs {
		if !e2e.IsHookgenJob(o) {
			kinds = append(kinds, o.GetKind())
		}
	}
	slices.Sort(kinds)
	return kinds
}

func jobNames(objs []*unstructured.Unstructured) []string {
	var names []string
	for _, j := range e2e.Jobs(objs) {
		names = append(names, j.GetName()+j.GetGenerateName())
	}
	return names
}

// TestExampleApplications deploys each example application the way its
// Application asks, through both real cmp-servers with the environment the
// repo-server builds (env, parameters and all), from a checkout of this
// repository. Argo CD must receive exactly what `hookgen generate` prints
// in the same directory with the same environment, and what the docs
// promises; the Jobs and the app's own objects then pass a strict
// server-side dry run in Pod Security "restricted" namespaces (ops and
// argocd included, for the Jobs that name them).
func TestExampleApplications(t *testing.T) {
	repo := e2e.Checkout(t)
	for _, ex := range exampleApps(t) {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			if ex.app.Spec.Source.Plugin == nil || ex.app.Spec.Source.Plugin.Name != e2e.PluginName {
				t.Fatalf("the Application does not name plugin %s: %+v", e2e.PluginName, ex.app.Spec.Source.Plugin)
			}
			var received []*unstructured.Unstructured
			for _, argo := range argos {
				t.Run(string(argo), func(t *testing.T) {
					srv := e2e.Sidecar(t, argo, e2e.DefaultSidecar())
					res, err := cmpserver.GenerateForApp(e2e.Ctx(t), srv.SocketDir, ex.app, repo, cmpserver.AppEnvOptions{
						Flavor: argo.Flavor(), Revision: e2e.Revision, APIVersions: e2e.APIVersions, PluginTarExclude: e2e.PluginTarExclude,
					})
					if err != nil {
						t.Fatalf("Argo CD: %v", err)
					}
					appDir := filepath.Join(repo, filepath.FromSlash(ex.app.Spec.Source.Path))
					direct := e2e.Direct(t, argo, e2e.DefaultSidecar(), appDir, res.Env, "generate")
					if direct.Code != 0 {
						t.Fatalf("hookgen generate run directly exits %d:\n%s", direct.Code, direct.Stderr)
					}
					e2e.SameObjects(t, "Argo CD", "hookgen generate", res.Objects, e2e.Objects(t, direct.Stdout))
					ex.check(t, res.Objects)
					if argo == cmpserver.ArgoV3 {
						received = res.Objects
					}
				})
			}
			if received == nil {
				return
			}
			t.Run("apiserver", func(t *testing.T) {
				api := kubeapi.Shared(t)
				dest := ex.app.Spec.Destination.Namespace
				n := e2e.DryRunJobs(t, api, received, dest)
				checked, skipped := e2e.DryRunAppObjects(t, api, received, dest)
				if len(skipped) > 0 {
					t.Errorf("the API server does not serve %v", skipped)
				}
				t.Logf("dry runs: %d Jobs and their Pods, %d app objects", n, checked)
			})
		})
	}
}

// TestWholeRepository generates examples/shop from Argo CD's default
// request, the whole repository streamed (no --plugin-tar-exclude), through
// both cmp-servers (v2 unpacks the repository's symlinks as absolute links,
// v3 as relative ones): the same objects as with the test corpora left out.
func TestWholeRepository(t *testing.T) {
	repo := e2e.Checkout(t)
	app := exampleApps(t)[0].app
	for _, argo := range argos {
		t.Run(string(argo), func(t *testing.T) {
			t.Parallel()
			srv := e2e.Sidecar(t, argo, e2e.DefaultSidecar())
			opts := cmpserver.AppEnvOptions{Flavor: argo.Flavor(), Revision: e2e.Revision, APIVersions: e2e.APIVersions}
			whole, err := cmpserver.GenerateForApp(e2e.Ctx(t), srv.SocketDir, app, repo, opts)
			if err != nil {
				t.Fatalf("Argo CD: %v", err)
			}
			partOpts := opts
			partOpts.PluginTarExclude = e2e.PluginTarExclude
			part, err := cmpserver.GenerateForApp(e2e.Ctx(t), srv.SocketDir, app, repo, partOpts)
			if err != nil {
				t.Fatalf("Argo CD with --plugin-tar-exclude: %v", err)
			}
			e2e.SameObjects(t, "the whole repository", "without the test corpora", whole.Objects, part.Objects)
		})
	}
}

// TestExampleApplicationsAnnounceParameters asks both cmp-servers for the
// parameters of each example application with the reduced environment the
// repo-server sends for announcements. Argo CD must return `hookgen
// parameters` (run directly with that environment) followed by plugin.yaml's
// static parameters, read with Argo CD's own config reader.
func TestExampleApplicationsAnnounceParameters(t *testing.T) {
	repo := e2e.Checkout(t)
	static := staticParameters(t)
	for _, ex := range exampleApps(t) {
		for _, argo := range argos {
			t.Run(ex.name+"/"+string(argo), func(t *testing.T) {
				t.Parallel()
				env, err := cmpserver.AnnouncementEnv(ex.app, cmpserver.AppEnvOptions{Flavor: argo.Flavor()})
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range env {
					for _, absent := range []string{"ARGOCD_APP_NAMESPACE=", "ARGOCD_APP_REVISION", "ARGOCD_APP_PROJECT_NAME=", "KUBE_VERSION="} {
						if strings.HasPrefix(e, absent) {
							t.Fatalf("the announcement environment holds %s", e)
						}
					}
				}
				srv := e2e.Sidecar(t, argo, e2e.DefaultSidecar())
				got, err := srv.MustDial(t).GetParametersAnnouncement(e2e.Ctx(t), cmpserver.Repo{Root: repo, AppPath: ex.app.Spec.Source.Path, ExcludedGlobs: e2e.PluginTarExclude}, env)
				if err != nil {
					t.Fatalf("Argo CD: %v", err)
				}
				appDir := filepath.Join(repo, filepath.FromSlash(ex.app.Spec.Source.Path))
				direct := e2e.Direct(t, argo, e2e.DefaultSidecar(), appDir, env, "parameters")
				if direct.Code != 0 {
					t.Fatalf("hookgen parameters run directly exits %d:\n%s", direct.Code, direct.Stderr)
				}
				dynamic := parseAnnouncements(t, direct.Stdout)
				if len(dynamic) == 0 {
					t.Errorf("hookgen announces no per-hook parameters")
				}
				for _, p := range dynamic {
					if !strings.HasPrefix(p.Name, "hook.") || p.CollectionType != "map" {
						t.Errorf("dynamic parameter %+v is not a hook.<name> map", p)
					}
				}
				sameParameters(t, got, append(dynamic, static...))
			})
		}
	}
}
