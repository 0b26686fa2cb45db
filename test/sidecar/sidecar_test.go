package sidecar

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	harness "github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/node"
	"github.com/hookgen/hookgen/test/internal/proc"
	"github.com/hookgen/hookgen/test/internal/tools"
	"github.com/hookgen/hookgen/test/loop"
)

var hookgenDir string

func TestMain(m *testing.M) {
	os.Exit(node.RunInNamespaces(func() int {
		return tools.WithHookgen(func(dir string) int {
			hookgenDir = dir
			return m.Run()
		})
	}))
}

const (
	argo = cmpserver.ArgoV2
	// argoImage is Argo CD's image as the tests assemble it: the argocd
	// binary at /usr/local/bin/argocd, busybox for the copyutil init
	// container's sh, cp and ln, user 999.
	argoImage = "registry.test/argocd:v2"
	podNS     = "argocd-pod"
)

// hostPlugin is the plugin of the stack's own cmp-server process: a name
// no Application uses, so that hookgen-v1 is served by the pod alone.
const hostPlugin = `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata: {name: host-placeholder}
spec:
  generate: {command: ["false"]}
`

// TestSidecarPod: the repo-server Deployment the install builds
// (kustomize over Argo CD's install.yaml with manifests/base), its copyutil
// init container and hookgen sidecar run as a pod on the real node; the
// loop's repo-server (a host process) finds the sidecar's socket, and an
// Application's hook generated there runs.
func TestSidecarPod(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	opts, err := loop.RealNodeOptions(ctx, argo, hookgenDir, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	argoImg, err := argocdImage()
	if err != nil {
		t.Fatal(err)
	}
	opts.NodeImages = append(opts.NodeImages, argoImg)
	opts.PluginYAML = []byte(hostPlugin)
	opts.Namespaces = []string{podNS}
	start := time.Now()
	s := harness.Start(t, opts)
	t.Logf("stack up in %.1fs", time.Since(start).Seconds())

	// The pod writes its socket into the repo-server's plugin directory.
	if err := os.Chmod(s.CMP.SocketDir, 0o777); err != nil {
		t.Fatal(err)
	}
	pod, err := sidecarPod(t, s.CMP.SocketDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pod:\n%s", pod)
	podStart := time.Now()
	if err := s.API.ApplyAll(ctx, podNS, pod); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(s.CMP.SocketDir, loop.PluginName+".sock")
	err = proc.Poll(ctx, 250*time.Millisecond, func() (bool, error) {
		if _, err := os.Stat(sock); err != nil {
			return false, fmt.Errorf("no %s yet", sock)
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("the sidecar pod made no socket: %v\n%s", err, podState(ctx, s))
	}
	t.Logf("sidecar pod serving %s after %.1fs", filepath.Base(sock), time.Since(podStart).Seconds())

	r, err := loop.Prepare(ctx, s, hookgenDir, loop.App{Name: "sidecar", Sources: []loop.Source{{Dir: "testdata/app", Hookgen: true}}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := r.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sync: %s in %.1fs: %s", rep.Phase, rep.Seconds, rep.Message)
	if rep.Phase != "Succeeded" {
		t.Errorf("sync %s: %s; resources %+v\n%s", rep.Phase, rep.Message, rep.Resources, podState(ctx, s))
	}
	if _, found, err := s.API.GetObject(ctx, "v1", "ConfigMap", "sidecar", "sidecar-applied"); err != nil || !found {
		t.Errorf("the app was not applied (found %v, %v)", found, err)
	}
	// The cmp-server in the pod ran the image's hookgen for the app.
	logs := podLog(ctx, s, "hookgen")
	generated := false
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `msg="hookgen generate"`) && strings.Contains(line, "/sidecar ") {
			generated = true
		}
	}
	if !generated || !strings.Contains(logs, `msg="Plugin command successful" command="{[hookgen generate] []}"`) {
		t.Errorf("the sidecar's log does not show the app's generation:\n%s", logs)
	}
}

// argocdImage is Argo CD's image for the copyutil init container.
func argocdImage() (node.Image, error) {
	bins, err := tools.LookupAll(string(argo), tools.Busybox)
	if err != nil {
		return node.Image{}, err
	}
	argocd, err := os.ReadFile(bins[string(argo)])
	if err != nil {
		return node.Image{}, err
	}
	bb, err := os.ReadFile(bins[tools.Busybox])
	if err != nil {
		return node.Image{}, err
	}
	files := []node.File{
		{Path: "/usr/local/bin/argocd", Data: argocd, Exec: true},
		{Path: "/bin/busybox", Data: bb, Exec: true},
		{Path: "/etc/passwd", Data: []byte("root:x:0:0:root:/root:/bin/sh\nargocd:x:999:999:argocd:/home/argocd:/bin/sh\n")},
		{Path: "/etc/group", Data: []byte("root:x:0:\nargocd:x:999:\n")},
		{Path: "/home/argocd", Dir: true, UID: 999, GID: 999},
		{Path: "/tmp", Dir: true, Mode: 0o1777},
	}
	for _, a := range []string{"sh", "cp", "ln"} {
		files = append(files, node.File{Path: "/bin/" + a, Link: "busybox"})
	}
	return node.Image{Name: argoImage, Files: files, User: "999:999", Env: []string{"PATH=/usr/local/bin:/bin"}}, nil
}

// sidecarPod builds the install (kustomize over Argo CD's install.yaml,
// manifests/base as a component, images overridden to the node's) and
// returns a Pod of the argocd-repo-server Deployment's template without
// the repo-server container (the loop's repo-server is a process on the
// host): its init containers, the hookgen sidecar and their volumes, the
// plugins volume a hostPath to the host repo-server's plugin directory.
func sidecarPod(t *testing.T, socketDir string) ([]byte, error) {
	root, err := tools.RepoRoot()
	if err != nil {
		return nil, err
	}
	install, err := upstreamInstall(root)
	if err != nil {
		return nil, err
	}
	dir := t.TempDir()
	data, err := os.ReadFile(install)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "install.yaml"), data, 0o644); err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(dir, filepath.Join(root, "manifests", "base"))
	if err != nil {
		return nil, err
	}
	kust := fmt.Sprintf(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [install.yaml]
components: [%s]
images:
  - {name: ghcr.io/hookgen/hookgen, newName: registry.test/hookgen, newTag: dev}
  - {name: quay.io/argoproj/argocd, newName: registry.test/argocd, newTag: v2}
`, rel)
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
		return nil, err
	}
	bin, err := tools.Lookup(tools.Kustomize)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "build", "--load-restrictor", "LoadRestrictionsNone", dir)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kustomize build: %v\n%s", err, stderr.Bytes())
	}
	var spec map[string]any
	for _, doc := range strings.Split(out.String(), "\n---\n") {
		var o map[string]any
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			return nil, err
		}
		md, _ := o["metadata"].(map[string]any)
		if o["kind"] == "Deployment" && md["name"] == "argocd-repo-server" {
			tmpl, _ := o["spec"].(map[string]any)["template"].(map[string]any)
			spec, _ = tmpl["spec"].(map[string]any)
		}
	}
	if spec == nil {
		return nil, errors.New("the install has no argocd-repo-server Deployment")
	}
	var containers []any
	used := map[string]bool{}
	mounts := func(c map[string]any) {
		vms, _ := c["volumeMounts"].([]any)
		for _, vm := range vms {
			used[vm.(map[string]any)["name"].(string)] = true
		}
	}
	for _, c := range spec["containers"].([]any) {
		cm := c.(map[string]any)
		if cm["name"] == "argocd-repo-server" {
			continue
		}
		mounts(cm)
		containers = append(containers, cm)
	}
	inits, _ := spec["initContainers"].([]any)
	for _, c := range inits {
		mounts(c.(map[string]any))
	}
	var vols []any
	for _, v := range spec["volumes"].([]any) {
		vm := v.(map[string]any)
		name := vm["name"].(string)
		if !used[name] {
			continue
		}
		if name == "plugins" {
			vm = map[string]any{"name": name, "hostPath": map[string]any{"path": socketDir, "type": "Directory"}}
		}
		vols = append(vols, vm)
	}
	podSpec := map[string]any{}
	for k, v := range spec {
		switch k {
		case "serviceAccountName", "affinity", "automountServiceAccountToken":
		default:
			podSpec[k] = v
		}
	}
	podSpec["containers"] = containers
	podSpec["volumes"] = vols
	podSpec["automountServiceAccountToken"] = false
	podSpec["restartPolicy"] = "Never"
	pod := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "hookgen-sidecar", "namespace": podNS}, "spec": podSpec}
	return json.MarshalIndent(pod, "", "  ")
}

// upstreamInstall is Argo CD's install.yaml of the release the test
// module requires, from the Go module cache.
func upstreamInstall(root string) (string, error) {
	const module = "github.com/argoproj/argo-cd/v2"
	data, err := os.ReadFile(filepath.Join(root, "test", "go.mod"))
	if err != nil {
		return "", err
	}
	version := ""
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && f[0] == module {
			version = f[1]
		}
	}
	if version == "" {
		return "", fmt.Errorf("test/go.mod does not require %s", module)
	}
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMODCACHE: %v", err)
	}
	p := filepath.Join(strings.TrimSpace(string(cache)), module+"@"+version, "manifests", "install.yaml")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("Argo CD's install.yaml: %v (from test/ run: go mod download %s@%s)", err, module, version)
	}
	return p, nil
}

// podState is the sidecar pod's status and its containers' logs.
func podState(ctx context.Context, s *harness.Stack) string {
	obj, _, err := s.API.GetObject(ctx, "v1", "Pod", podNS, "hookgen-sidecar")
	if err != nil {
		return err.Error()
	}
	st, _ := json.MarshalIndent(obj["status"], "", "  ")
	return string(st) + "\ncopyutil:\n" + podLog(ctx, s, "copyutil") + "\nhookgen:\n" + podLog(ctx, s, "hookgen")
}

func podLog(ctx context.Context, s *harness.Stack, container string) string {
	resp, err := s.API.Get(ctx, "/api/v1/namespaces/"+podNS+"/pods/hookgen-sidecar/log?container="+container)
	if err != nil {
		return err.Error()
	}
	return string(resp.Body)
}
