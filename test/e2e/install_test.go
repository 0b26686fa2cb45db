package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v2/common"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/hookgen/hookgen/test/e2e"
	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

// upstreamURL is the remote resource of docs/install.md and the example
// overlay, for the Argo CD release this module imports.
func upstreamURL(t *testing.T) string {
	return "https://raw.githubusercontent.com/argoproj/argo-cd/" + e2e.ArgoCDVersion(t) + "/manifests/install.yaml"
}

// manifestsCopy copies manifests/ into a temp dir and returns the copy.
func manifestsCopy(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "manifests")
	if err := e2e.CopyDir(filepath.Join(e2e.Env.Root, "manifests"), dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestKustomizeComponent builds the install of docs/install.md: Argo CD's own
// install.yaml (from the Go module cache) with manifests/base as a
// component, with the real kustomize. The repo-server gets the sidecar as
// documented, and the result passes a strict server-side dry run.
func TestKustomizeComponent(t *testing.T) {
	t.Parallel()
	m := manifestsCopy(t)
	dir := filepath.Join(filepath.Dir(m), "argocd")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, e2e.UpstreamInstall(t), filepath.Join(dir, "install.yaml"))
	kust := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - install.yaml\ncomponents:\n  - ../manifests/base\n"
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
		t.Fatal(err)
	}
	objs := e2e.Objects(t, e2e.Kustomize(t, dir))
	upstream := e2e.Objects(t, mustRead(t, e2e.UpstreamInstall(t)))
	if len(objs) != len(upstream) {
		t.Errorf("the component changes the number of objects: %d, upstream %d", len(objs), len(upstream))
	}
	deploy := checkRepoServer(t, objs, upstream, "ghcr.io/hookgen/hookgen:v0.1.0")
	dryRunRepoServer(t, deploy)
}

// TestKustomizeExampleOverlay builds manifests/overlays/example with its
// remote install.yaml swapped for the module cache's copy: the sidecar as
// above, everything in namespace argocd, and the hookgen-config ConfigMap
// holding the example policy and template. Laid out as the kubelet mounts
// it, that ConfigMap passes `hookgen policy check` and works as the
// sidecar's config directory in Argo CD's cmp-server.
func TestKustomizeExampleOverlay(t *testing.T) {
	t.Parallel()
	m := manifestsCopy(t)
	overlay := filepath.Join(m, "overlays", "example")
	kustFile := filepath.Join(overlay, "kustomization.yaml")
	kust := string(mustRead(t, kustFile))
	url := upstreamURL(t)
	if strings.Count(kust, "- "+url+"\n") != 1 {
		t.Fatalf("the overlay does not install %s (Argo CD %s, the release the tests import):\n%s", url, e2e.ArgoCDVersion(t), kust)
	}
	copyFile(t, e2e.UpstreamInstall(t), filepath.Join(overlay, "install.yaml"))
	if err := os.WriteFile(kustFile, []byte(strings.Replace(kust, "- "+url+"\n", "- install.yaml\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	objs := e2e.Objects(t, e2e.Kustomize(t, overlay))
	upstream := e2e.Objects(t, mustRead(t, e2e.UpstreamInstall(t)))
	if len(objs) != len(upstream)+1 {
		t.Errorf("the overlay makes %d objects, want upstream's %d plus the hookgen-config ConfigMap", len(objs), len(upstream))
	}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "argocd" && !clusterScoped(o) {
			t.Errorf("%s is in namespace %q, want argocd", e2e.ObjectName(o), ns)
		}
	}
	deploy := checkRepoServer(t, objs, upstream, "ghcr.io/hookgen/hookgen:v0.1.0")
	dryRunRepoServer(t, deploy)
	// The links in notification messages need Argo CD's URL: the install
	// docs and the example set it on the sidecar.
	side := named(list(deploy.Object, "spec", "template", "spec", "containers"), "hookgen")
	if e := named(list(side, "env"), "HOOKGEN_ARGOCD_URL"); e == nil || !strings.HasPrefix(fmt.Sprint(e["value"]), "https://") {
		t.Errorf("the overlay's sidecar has no HOOKGEN_ARGOCD_URL with an https URL: %v", e)
	}

	cm := find(objs, "ConfigMap", "hookgen-config")
	if cm == nil {
		t.Fatal("no hookgen-config ConfigMap")
	}
	data, _, _ := unstructured.NestedStringMap(cm.Object, "data")
	for _, name := range []string{"policy.yaml", "db-migrate.yaml"} {
		if data[name] != string(mustRead(t, filepath.Join(e2e.Env.Root, "manifests", "overlays", "example", name))) {
			t.Errorf("hookgen-config's %s is not the overlay's file", name)
		}
	}
	if len(data) != 2 {
		t.Errorf("hookgen-config holds %d keys, want 2", len(data))
	}
	api := kubeapi.Shared(t)
	e2e.EnsureNamespace(t, api, "argocd")
	body, _ := json.Marshal(cm.Object)
	if r, err := api.DryRunCreate(e2e.Ctx(t), "argocd", body); err != nil || r.StatusCode != http.StatusCreated || len(r.Warnings) > 0 {
		t.Errorf("dry run of hookgen-config: %v %v", r, err)
	}

	// The ConfigMap as the sidecar sees it.
	cfgDir := filepath.Join(t.TempDir(), "hookgen")
	if err := e2e.ConfigMapVolume(cfgDir, data); err != nil {
		t.Fatal(err)
	}
	check := e2e.Direct(t, cmpserver.ArgoV3, nil, t.TempDir(), nil, "policy", "check", "--config-dir", cfgDir)
	if check.Code != 0 {
		t.Errorf("hookgen policy check of hookgen-config: exit code %d\n%s%s", check.Code, check.Stdout, check.Stderr)
	}
	repo := writeTree(t, map[string]string{"apps/shop/hookgen.yaml": `apiVersion: hookgen.dev/v1alpha1
kind: HookSet
hooks:
  - name: migrate
    uses: db-migrate
    with: {image: ghcr.io/acme/shop:3.1.0, database: shop}
`})
	app := discoveryApp("apps/shop", e2e.PluginName)
	sidecar := []string{"HOOKGEN_CONFIG_DIR=" + cfgDir, "HOOKGEN_RUNNER_IMAGE=" + e2e.DefaultRunnerImage}
	srv := e2e.PrivateSidecar(t, cmpserver.ArgoV3, sidecar)
	res, err := cmpserver.GenerateForApp(e2e.Ctx(t), srv.SocketDir, app, repo, cmpserver.AppEnvOptions{Flavor: cmpserver.V3, Revision: e2e.Revision})
	if err != nil {
		t.Fatalf("Argo CD with the example platform config: %v", err)
	}
	job := e2e.JobNamed(res.Objects, "migrate-presync")
	if job == nil || job.GetAnnotations()["hookgen.dev/template"] != "db-migrate" || job.GetAnnotations()["argocd.argoproj.io/sync-wave"] != "-5" {
		t.Fatalf("the platform template db-migrate did not make migrate-presync: %v", jobNames(res.Objects))
	}
	e2e.DryRunJobs(t, api, res.Objects, app.Spec.Destination.Namespace)
}

func clusterScoped(o *unstructured.Unstructured) bool {
	switch o.GetKind() {
	case "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Namespace":
		return true
	}
	return false
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	return nil
}

// list returns a list field of m as maps.
func list(m map[string]any, fields ...string) []map[string]any {
	l, _, _ := unstructured.NestedSlice(m, fields...)
	var out []map[string]any
	for _, v := range l {
		if mm, ok := v.(map[string]any); ok {
			out = append(out, mm)
		}
	}
	return out
}

func named(items []map[string]any, name string) map[string]any {
	for _, it := range items {
		if it["name"] == name {
			return it
		}
	}
	return nil
}

// checkRepoServer checks the patched argocd-repo-server against upstream's
// and docs/install.md, and returns it.
func checkRepoServer(t *testing.T, objs, upstream []*unstructured.Unstructured, image string) *unstructured.Unstructured {
	t.Helper()
	deploy := find(objs, "Deployment", "argocd-repo-server")
	orig := find(upstream, "Deployment", "argocd-repo-server")
	if deploy == nil || orig == nil {
		t.Fatal("no argocd-repo-server Deployment")
	}
	pod := deploy.Object["spec"].(map[string]any)["template"].(map[string]any)
	containers := list(pod, "spec", "containers")
	origContainers := list(orig.Object, "spec", "template", "spec", "containers")
	if len(containers) != len(origContainers)+1 {
		t.Errorf("argocd-repo-server has %d containers, upstream %d: want exactly one more", len(containers), len(origContainers))
	}
	for _, oc := range origContainers {
		if c := named(containers, oc["name"].(string)); !reflect.DeepEqual(c, oc) {
			t.Errorf("the component changes upstream's container %s", oc["name"])
		}
	}
	side := named(containers, "hookgen")
	if side == nil {
		t.Fatal("no hookgen container in argocd-repo-server")
	}
	if side["image"] != image {
		t.Errorf("sidecar image %v, want %s", side["image"], image)
	}
	// The repo-server's copyutil init container puts Argo CD's binary into
	// var-files; the sidecar runs it as argocd-cmp-server.
	if cmd, _ := side["command"].([]any); len(cmd) != 1 || cmd[0] != "/var/run/argocd/argocd-cmp-server" {
		t.Errorf("sidecar command %v", side["command"])
	}
	copyutil := named(list(pod, "spec", "initContainers"), "copyutil")
	if copyutil == nil || !slices.ContainsFunc(list(copyutil, "volumeMounts"), func(m map[string]any) bool {
		return m["name"] == "var-files" && m["mountPath"] == "/var/run/argocd"
	}) {
		t.Errorf("upstream's copyutil init container does not fill var-files at /var/run/argocd: %v", copyutil)
	}
	sc, _ := side["securityContext"].(map[string]any)
	for k, want := range map[string]any{"runAsUser": int64(999), "runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false} {
		if !reflect.DeepEqual(sc[k], want) {
			t.Errorf("sidecar securityContext.%s = %v, want %v", k, sc[k], want)
		}
	}
	mounts := map[string]string{}
	for _, vm := range list(side, "volumeMounts") {
		mounts[vm["name"].(string)] = vm["mountPath"].(string)
	}
	wantMounts := map[string]string{
		"var-files":      "/var/run/argocd",
		"plugins":        common.DefaultPluginSockFilePath,
		"hookgen-tmp":    "/tmp",
		"hookgen-config": "/home/argocd/hookgen",
	}
	if !reflect.DeepEqual(mounts, wantMounts) {
		t.Errorf("sidecar mounts %v, want %v", mounts, wantMounts)
	}
	env := map[string]string{}
	for _, e := range list(side, "env") {
		env[e["name"].(string)], _ = e["value"].(string)
	}
	if env["HOOKGEN_CONFIG_DIR"] != wantMounts["hookgen-config"] || env["HOOKGEN_RUNNER_IMAGE"] != e2e.DefaultRunnerImage {
		t.Errorf("sidecar env %v", env)
	}
	// Its own /tmp: the repo-server's /tmp is another volume.
	if rs := named(containers, "argocd-repo-server"); rs != nil {
		for _, vm := range list(rs, "volumeMounts") {
			if vm["mountPath"] == "/tmp" && vm["name"] == "hookgen-tmp" {
				t.Errorf("the repo-server and the sidecar share /tmp")
			}
		}
	} else {
		t.Errorf("no argocd-repo-server container")
	}
	volumes := list(pod, "spec", "volumes")
	for _, name := range []string{"var-files", "plugins", "hookgen-tmp", "hookgen-config"} {
		if named(volumes, name) == nil {
			t.Errorf("the pod has no volume %s", name)
		}
	}
	if v := named(volumes, "hookgen-tmp"); v != nil && v["emptyDir"] == nil {
		t.Errorf("hookgen-tmp is not an emptyDir: %v", v)
	}
	if v := named(volumes, "hookgen-config"); v != nil {
		cm, _ := v["configMap"].(map[string]any)
		if cm["name"] != "hookgen-config" || cm["optional"] != true {
			t.Errorf("hookgen-config is not the optional ConfigMap hookgen-config: %v", v)
		}
	}
	return deploy
}

// dryRunRepoServer sends the patched Deployment to the API server (strict
// field validation) into namespace argocd, labelled for Pod Security
// "restricted" like every namespace here: accepted, and no warning may
// name the sidecar.
func dryRunRepoServer(t *testing.T, deploy *unstructured.Unstructured) {
	t.Helper()
	api := kubeapi.Shared(t)
	e2e.EnsureNamespace(t, api, "argocd")
	body, err := json.Marshal(deploy.Object)
	if err != nil {
		t.Fatal(err)
	}
	r, err := api.DryRunCreate(e2e.Ctx(t), "argocd", body)
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("the API server rejects argocd-repo-server: %s", r)
	}
	for _, w := range r.Warnings {
		if strings.Contains(w, `"hookgen"`) {
			t.Errorf("a warning names the sidecar: %s", w)
		} else {
			t.Logf("warning about upstream's part: %s", w)
		}
	}
	if c := named(list(r.Object, "spec", "template", "spec", "containers"), "hookgen"); c == nil {
		t.Errorf("the stored Deployment lost the sidecar")
	}
}

// TestHelmValuesMatchTheComponent parses manifests/helm/values.yaml and
// checks that its sidecar container and volumes are the component's, so
// the two installs cannot drift apart.
func TestHelmValuesMatchTheComponent(t *testing.T) {
	var values struct {
		RepoServer struct {
			ExtraContainers []map[string]any `json:"extraContainers"`
			Volumes         []map[string]any `json:"volumes"`
		} `json:"repoServer"`
	}
	if err := yaml.UnmarshalStrict(mustRead(t, filepath.Join(e2e.Env.Root, "manifests", "helm", "values.yaml")), &values); err != nil {
		t.Fatalf("values.yaml: %v", err)
	}
	var patch map[string]any
	if err := yaml.Unmarshal(mustRead(t, filepath.Join(e2e.Env.Root, "manifests", "base", "repo-server-sidecar.yaml")), &patch); err != nil {
		t.Fatal(err)
	}
	containers := list(patch, "spec", "template", "spec", "containers")
	volumes := list(patch, "spec", "template", "spec", "volumes")
	if len(values.RepoServer.ExtraContainers) != 1 || len(containers) != 1 {
		t.Fatalf("values.yaml has %d extra containers, the component %d; want one each", len(values.RepoServer.ExtraContainers), len(containers))
	}
	if got, want := jsonOf(t, values.RepoServer.ExtraContainers[0]), jsonOf(t, containers[0]); got != want {
		t.Errorf("values.yaml's container differs from the component's:\n%s\nwant:\n%s", got, want)
	}
	if got, want := jsonOf(t, values.RepoServer.Volumes), jsonOf(t, volumes); got != want {
		t.Errorf("values.yaml's volumes differ from the component's:\n%s\nwant:\n%s", got, want)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
