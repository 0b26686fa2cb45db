package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

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
`

// The install component a release writes, over this checkout's
// manifests/base, names the image make image built, by its digest, for the
// sidecar and for runner Jobs alike.
func TestInstallComponentPinsDigest(t *testing.T) {
	dir := imageDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "hookgen.digest"))
	if err != nil {
		t.Fatal(err)
	}
	digest := strings.TrimSpace(string(raw))
	if d, err := openArchive(t, filepath.Join(dir, "hookgen.oci.tar")).Digest(); err != nil || d.String() != digest {
		t.Fatalf("hookgen.digest %s, the archive's index %v (%v)", digest, d, err)
	}
	work := t.TempDir()
	base, err := filepath.Abs(filepath.Join("..", "..", "manifests", "base"))
	if err != nil {
		t.Fatal(err)
	}
	comp := filepath.Join(work, "hookgen")
	if err := os.Mkdir(comp, 0o755); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(comp, base)
	if err != nil {
		t.Fatal(err)
	}
	kz, err := installComponent("v1.2.3", filepath.ToSlash(rel), digest)
	if err != nil {
		t.Fatal(err)
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(comp, "kustomization.yaml"), kz)
	write(filepath.Join(work, "repo-server.yaml"), repoServer)
	write(filepath.Join(work, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [repo-server.yaml]\ncomponents: [hookgen]\n")
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), work)
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
	want := "ghcr.io/hookgen/hookgen:v1.2.3@" + digest
	sidecar := []string{"spec", "template", "spec", "containers", "[name=hookgen]"}
	for _, path := range [][]string{
		append(sidecar, "image"),
		append(sidecar, "env", "[name=HOOKGEN_RUNNER_IMAGE]", "value"),
	} {
		v, err := node.Pipe(yaml.Lookup(path...))
		if err != nil || v == nil {
			t.Fatalf("%v not in the build (%v):\n%s", path, err, out)
		}
		if got := yaml.GetValue(v); got != want {
			t.Errorf("%s = %s, want %s", strings.Join(path, "."), got, want)
		}
	}
	for _, bad := range []string{"", "sha256:12", "latest"} {
		if _, err := installComponent("v1", "base", bad); err == nil || !strings.Contains(err.Error(), "is not sha256:<64 hex>") {
			t.Errorf("digest %q: error %v, want one saying it is not a digest", bad, err)
		}
	}
}
