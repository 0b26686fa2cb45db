package node_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
	"github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/node"
	"github.com/hookgen/hookgen/test/internal/proc"
)

func TestMain(m *testing.M) { os.Exit(node.Main(m)) }

// The archive is a function of the image alone, and names the image the
// way ctr reads it.
func TestImageArchive(t *testing.T) {
	img := node.Image{
		Name:  "registry.test/x:1",
		Files: []node.File{{Path: "/bin/x", Data: []byte("#!"), Exec: true}, {Path: "/bin/y", Link: "x"}, {Path: "/tmp", Dir: true, Mode: 0o1777}},
		User:  "app",
	}
	var a, b bytes.Buffer
	if err := img.WriteArchive(&a); err != nil {
		t.Fatal(err)
	}
	if err := img.WriteArchive(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two archives of the same image differ")
	}
	files := map[string][]byte{}
	tr := tar.NewReader(&a)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		files[h.Name] = body
	}
	var index struct {
		Manifests []struct {
			Digest      string
			Annotations map[string]string
		}
	}
	if err := json.Unmarshal(files["index.json"], &index); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	if len(index.Manifests) != 1 || index.Manifests[0].Annotations["io.containerd.image.name"] != img.Name {
		t.Fatalf("index.json names no image %s: %s", img.Name, files["index.json"])
	}
	manifest := files["blobs/sha256/"+strings.TrimPrefix(index.Manifests[0].Digest, "sha256:")]
	var m struct {
		Config struct{ Digest string }
		Layers []struct{ Digest string }
	}
	if err := json.Unmarshal(manifest, &m); err != nil || len(m.Layers) != 1 {
		t.Fatalf("manifest %s: %v", manifest, err)
	}
	var cfg struct{ Config struct{ User string } }
	if err := json.Unmarshal(files["blobs/sha256/"+strings.TrimPrefix(m.Config.Digest, "sha256:")], &cfg); err != nil || cfg.Config.User != "app" {
		t.Fatalf("config: user %q, %v", cfg.Config.User, err)
	}
	layer := tar.NewReader(bytes.NewReader(files["blobs/sha256/"+strings.TrimPrefix(m.Layers[0].Digest, "sha256:")]))
	var names []string
	for {
		h, err := layer.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, fmt.Sprintf("%s %o", h.Name, h.Mode))
	}
	if got, want := strings.Join(names, ", "), "bin/ 755, bin/x 755, bin/y 777, tmp/ 1777"; got != want {
		t.Fatalf("layer = %s, want %s", got, want)
	}
}

// A real node runs pods: a root image, the hookgen image reaching a
// Service (the node's DNS, kube-proxy) and the sink; and a root image
// under runAsNonRoot without a user is refused by the kubelet.
func TestRealNode(t *testing.T) {
	ctx := context.Background()
	images, err := node.StandardImages(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hookgen, err := node.HookgenArchive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s := loop.Start(t, loop.Options{
		PluginYAML: []byte("apiVersion: argoproj.io/v1alpha1\nkind: ConfigManagementPlugin\nmetadata: {name: cat}\nspec:\n  generate: {command: [cat, app.yaml]}\n  discover: {fileName: ./app.yaml}\n"),
		Argo:       cmpserver.ArgoV3,
		RealNode:   true, NodeImages: images, NodeArchives: []node.Archive{hookgen}, Namespaces: []string{"demo"},
	})
	t.Logf("stack up in %v: %v; node: %v", time.Since(start).Round(time.Millisecond), s.Timings, s.Node.Timings)

	apply := func(yaml string) {
		t.Helper()
		if err := s.API.ApplyAll(ctx, "demo", []byte(yaml)); err != nil {
			t.Fatal(err)
		}
	}
	apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: ` + node.HTTPAppImage + `, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  selector: {app: web}
  ports: [{port: 8080, targetPort: 8080}]
`)
	job := func(name, image string, cmd ...string) string {
		q, _ := json.Marshal(cmd)
		return `apiVersion: batch/v1
kind: Job
metadata: {name: ` + name + `, namespace: demo}
spec:
  backoffLimit: 0
  activeDeadlineSeconds: 120
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: ` + image + `, command: ` + string(q) + `}]
`
	}
	apply(job("root", node.BusyboxRootImage, "sh", "-c", "test $(id -u) = 0"))
	apply(job("check", node.HookgenImage, "hookgen", "run", "http-check", "--url=http://web.demo.svc:8080/x", "--expect-body=ok", "--deadline=60s"))
	apply(job("sink", node.HookgenImage, "hookgen", "run", "http-check", "--url="+node.SinkURL+"/from-pod", "--expect-body=ok"))
	apply(`apiVersion: v1
kind: Pod
metadata: {name: nonroot, namespace: demo}
spec:
  restartPolicy: Never
  securityContext: {runAsNonRoot: true}
  containers: [{name: main, image: ` + node.BusyboxRootImage + `, command: [id]}]
`)

	waitJob := func(name string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		var obj map[string]any
		err := proc.Poll(ctx, 250*time.Millisecond, func() (bool, error) {
			var err error
			obj, _, err = s.API.GetObject(ctx, "batch/v1", "Job", "demo", name)
			if err != nil {
				return false, err
			}
			if loop.HasCondition(obj, "Failed") {
				return false, fmt.Errorf("job %s failed: %v", name, kubeapi.Nested(obj, "status", "conditions"))
			}
			return loop.HasCondition(obj, "Complete"), nil
		})
		if err != nil {
			t.Fatalf("job %s: %v\n%s", name, err, podStates(ctx, s.API))
		}
	}
	for _, name := range []string{"root", "check", "sink"} {
		waitJob(name)
	}
	if got := s.Node.Sink.WithPath("/from-pod"); len(got) == 0 {
		t.Fatalf("the sink received no request from the pod; it has %v", s.Node.Sink.Requests())
	}
	// The kubelet refuses a root image under runAsNonRoot without a user.
	err = proc.Poll(ctx, 250*time.Millisecond, func() (bool, error) {
		obj, _, err := s.API.GetObject(ctx, "v1", "Pod", "demo", "nonroot")
		if err != nil {
			return false, err
		}
		msg := fmt.Sprint(kubeapi.Nested(obj, "status", "containerStatuses"))
		return strings.Contains(msg, "CreateContainerConfigError") && strings.Contains(msg, "image will run as root"), nil
	})
	if err != nil {
		t.Fatalf("pod nonroot: %v\n%s", err, podStates(ctx, s.API))
	}
}

// podStates lists the pods of demo with their phase and container states.
func podStates(ctx context.Context, api *kubeapi.Server) string {
	r, err := api.Get(ctx, "/api/v1/namespaces/demo/pods")
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	items, _ := r.Object["items"].([]any)
	for _, it := range items {
		p, _ := it.(map[string]any)
		fmt.Fprintf(&b, "%v %v %v\n", kubeapi.Nested(p, "metadata", "name"), kubeapi.Nested(p, "status", "phase"), kubeapi.Nested(p, "status", "containerStatuses"))
	}
	return b.String()
}
