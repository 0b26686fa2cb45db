package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// repoServer is the part of Argo CD's install the component patches.
const repoServer = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: argocd-repo-server}
  template:
    metadata:
      labels: {app.kubernetes.io/name: argocd-repo-server}
    spec:
      containers:
        - name: argocd-repo-server
          image: quay.io/argoproj/argocd:v2.14.21
          env:
            - name: ARGOCD_EXEC_TIMEOUT
              value: 90s
`

// TestInstallImageOverride builds the install component under a
// kustomization with an images: override of hookgen's image, as a mirrored
// or air-gapped install writes it, and checks that the sidecar's image and
// its HOOKGEN_RUNNER_IMAGE (the image of runner Jobs) both follow it, and
// that nothing else changes.
func TestInstallImageOverride(t *testing.T) {
	base, err := filepath.Abs(filepath.Join("manifests", "base"))
	if err != nil {
		t.Fatal(err)
	}
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		name, images, want string
	}{
		{"none", "", "ghcr.io/hookgen/hookgen:v0.1.0"},
		{"tag", "images:\n  - name: ghcr.io/hookgen/hookgen\n    newTag: v9.9.9\n", "ghcr.io/hookgen/hookgen:v9.9.9"},
		{"mirror and digest", "images:\n  - name: ghcr.io/hookgen/hookgen\n    newName: registry.internal:5000/mirror/hookgen\n    digest: " + digest + "\n",
			"registry.internal:5000/mirror/hookgen@" + digest},
		{"another image only", "images:\n  - name: quay.io/argoproj/argocd\n    newTag: v3.0.0\n", "ghcr.io/hookgen/hookgen:v0.1.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rel, err := filepath.Rel(dir, base)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, "repo-server.yaml"), repoServer)
			write(t, filepath.Join(dir, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"+
				"resources: [repo-server.yaml]\ncomponents: ["+filepath.ToSlash(rel)+"]\n"+tc.images)
			k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
			res, err := k.Run(filesys.MakeFsOnDisk(), dir)
			if err != nil {
				t.Fatalf("kustomize build: %v", err)
			}
			out, err := res.AsYaml()
			if err != nil {
				t.Fatal(err)
			}
			node, err := yaml.Parse(string(out))
			if err != nil {
				t.Fatal(err)
			}
			get := func(path ...string) string {
				t.Helper()
				v, err := node.Pipe(yaml.Lookup(path...))
				if err != nil || v == nil {
					t.Fatalf("%v: not in the build (%v):\n%s", path, err, out)
				}
				return yaml.GetValue(v)
			}
			sidecar := []string{"spec", "template", "spec", "containers", "[name=hookgen]"}
			if got := get(append(sidecar, "image")...); got != tc.want {
				t.Errorf("the sidecar's image is %s, want %s", got, tc.want)
			}
			if got := get(append(sidecar, "env", "[name=HOOKGEN_RUNNER_IMAGE]", "value")...); got != tc.want {
				t.Errorf("HOOKGEN_RUNNER_IMAGE is %s, want %s, the sidecar's image", got, tc.want)
			}
			if got := get(append(sidecar, "env", "[name=HOOKGEN_CONFIG_DIR]", "value")...); got != "/home/argocd/hookgen" {
				t.Errorf("HOOKGEN_CONFIG_DIR changed to %s", got)
			}
			repo := []string{"spec", "template", "spec", "containers", "[name=argocd-repo-server]"}
			if got := get(append(repo, "env", "[name=ARGOCD_EXEC_TIMEOUT]", "value")...); got != "90s" {
				t.Errorf("another env value changed to %s", got)
			}
		})
	}
}

// TestInstallNamedOnly builds the install with the named-only component
// after the base, as docs/install.md shows: the sidecar keeps everything
// the base gives it and reads a plugin.yaml without a discover rule,
// mounted from a generated ConfigMap over the one in the image; the
// repo-server is otherwise untouched.
func TestInstallNamedOnly(t *testing.T) {
	dir := t.TempDir()
	var comps []string
	for _, c := range []string{"base", "components/named-only"} {
		abs, err := filepath.Abs(filepath.Join("manifests", c))
		if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(dir, abs)
		if err != nil {
			t.Fatal(err)
		}
		comps = append(comps, filepath.ToSlash(rel))
	}
	write(t, filepath.Join(dir, "repo-server.yaml"), repoServer)
	write(t, filepath.Join(dir, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"+
		"resources: [repo-server.yaml]\ncomponents: ["+strings.Join(comps, ", ")+"]\n")
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build: %v", err)
	}
	deploy, err := res.GetById(resid.NewResId(resid.Gvk{Group: "apps", Version: "v1", Kind: "Deployment"}, "argocd-repo-server"))
	if err != nil {
		t.Fatal(err)
	}
	var cm *yaml.RNode
	for _, r := range res.Resources() {
		if r.GetKind() == "ConfigMap" && strings.HasPrefix(r.GetName(), "hookgen-plugin-") {
			cm = &r.RNode
		}
	}
	if cm == nil {
		t.Fatalf("no hookgen-plugin ConfigMap in the build")
	}
	want, err := os.ReadFile(filepath.Join("manifests", "components", "named-only", "plugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cm.GetDataMap()["plugin.yaml"]; got != string(want) {
		t.Errorf("the ConfigMap's plugin.yaml is not manifests/components/named-only/plugin.yaml:\n%s", got)
	}
	if strings.Contains(string(want), "\n  discover:") {
		t.Errorf("the named-only plugin.yaml has a discover rule")
	}
	get := func(path ...string) string {
		t.Helper()
		v, err := deploy.Pipe(yaml.Lookup(path...))
		if err != nil || v == nil {
			t.Fatalf("%v: not in the build (%v)", path, err)
		}
		return yaml.GetValue(v)
	}
	sidecar := []string{"spec", "template", "spec", "containers", "[name=hookgen]"}
	mount := append(sidecar, "volumeMounts", "[mountPath=/home/argocd/cmp-server/config/plugin.yaml]")
	if got := get(append(mount, "subPath")...); got != "plugin.yaml" {
		t.Errorf("plugin.yaml mount subPath %q", got)
	}
	vol := get(append(mount, "name")...)
	if got := get("spec", "template", "spec", "volumes", "[name="+vol+"]", "configMap", "name"); got != cm.GetName() {
		t.Errorf("the mounted volume reads ConfigMap %s, want %s", got, cm.GetName())
	}
	// What the base gives the sidecar stays.
	for _, p := range []string{"/var/run/argocd", "/home/argocd/cmp-server/plugins", "/tmp", "/home/argocd/hookgen"} {
		get(append(sidecar, "volumeMounts", "[mountPath="+p+"]", "name")...)
	}
	if got := get(append(sidecar, "image")...); got != "ghcr.io/hookgen/hookgen:v0.1.0" {
		t.Errorf("the sidecar's image is %s", got)
	}
	repo := []string{"spec", "template", "spec", "containers", "[name=argocd-repo-server]"}
	if got := get(append(repo, "env", "[name=ARGOCD_EXEC_TIMEOUT]", "value")...); got != "90s" {
		t.Errorf("another env value changed to %s", got)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
