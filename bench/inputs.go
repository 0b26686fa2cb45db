package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hookgen/hookgen/internal/benchdata"
)

// The inputs every row measures, written under one work directory.

// hookSet is the hookgen.yaml of every app: six hooks, seven Jobs, the
// built-in templates only.
const hookSet = `apiVersion: hookgen.dev/v1alpha1
kind: HookSet
defaults:
  serviceAccountName: app-hooks
  resources:
    requests: {cpu: 100m, memory: 128Mi}
    limits: {memory: 256Mi}
hooks:
  - name: migrate
    uses: migration
    with:
      image: ghcr.io/acme/api:1.8.2
      command: [./api, migrate, up]
      envFrom: [{secretRef: {name: api-db}}]
  - name: seed
    uses: job
    phase: Sync
    wave: 1
    with:
      image: ghcr.io/acme/api:1.8.2
      command: [./api, seed]
  - name: smoke
    uses: job
    phase: PostSync
    activeDeadlineSeconds: 120
    with:
      image: curlimages/curl:8.10.1
      args: [--fail, "http://api.$(app.namespace).svc:8080/healthz"]
    hardening: {runAsUser: 100}
  - name: notify
    uses: job
    phase: [PostSync, SyncFail]
    with:
      image: ghcr.io/acme/notify:0.4.0
      args: [--app, $(app.name), --outcome, $(hook.outcome), --revision, $(app.revisionShort)]
      env: [{name: WEBHOOK, valueFrom: {secretKeyRef: {name: notify, key: url}}}]
  - name: backup
    uses: job
    phase: PreDelete
    namespace: ops
    with:
      image: ghcr.io/acme/ops-tools:2.3.0
      command: [backup, --app, $(app.name)]
  - name: cleanup
    uses: job
    phase: PostDelete
    namespace: ops
    with:
      image: ghcr.io/acme/ops-tools:2.3.0
      command: [cleanup, --app, $(app.name)]
`

// mixed returns the i-th resource of a kustomize base: ConfigMaps,
// Deployments and Services.
func mixed(i int) string {
	switch i % 4 {
	case 1:
		return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-%[1]d
spec:
  replicas: 1
  selector:
    matchLabels: {app: svc-%[1]d}
  template:
    metadata:
      labels: {app: svc-%[1]d}
    spec:
      containers:
        - name: main
          image: ghcr.io/acme/svc:1.%[1]d.0
          ports: [{containerPort: 8080}]
          envFrom: [{configMapRef: {name: config-%[2]d}}]
`, i, i-1)
	case 3:
		return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: svc-%[1]d
spec:
  selector: {app: svc-%[1]d}
  ports: [{port: 80, targetPort: 8080}]
`, i-2)
	}
	return benchdata.ConfigMap(i)
}

// appEnv is Argo CD's build environment for the benchmark apps.
func appEnv(sourcePath string) []string {
	return []string{
		"ARGOCD_APP_NAME=api", "ARGOCD_APP_NAMESPACE=api", "ARGOCD_APP_PROJECT_NAME=default",
		"ARGOCD_APP_REVISION=5f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", "ARGOCD_APP_SOURCE_PATH=" + sourcePath,
		"ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/acme/api.git", "ARGOCD_APP_SOURCE_TARGET_REVISION=main",
		"KUBE_VERSION=1.33.1", "HOOKGEN_RUNNER_IMAGE=ghcr.io/hookgen/hookgen:v0.1.0",
	}
}

func writeFile(name, content string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, []byte(content), 0o644)
}

// kustomization lists resources for kustomize.
func kustomization(extra string, resources []string) string {
	var b strings.Builder
	b.WriteString(extra)
	b.WriteString("resources:\n")
	for _, r := range resources {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	return b.String()
}

// plainApp writes n ConfigMaps, one file each, and the hook set into dir.
// It returns the file names.
func plainApp(dir string, n int) ([]string, error) {
	var names []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("config-%05d.yaml", i)
		if err := writeFile(filepath.Join(dir, name), benchdata.ConfigMap(i)); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, writeFile(filepath.Join(dir, "hookgen.yaml"), hookSet)
}

// sameFiles gives kustomize the same files in a directory of its own
// (hard links), with a kustomization listing them.
func sameFiles(from, to string, names []string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		if err := os.Link(filepath.Join(from, n), filepath.Join(to, n)); err != nil {
			return err
		}
	}
	return writeFile(filepath.Join(to, "kustomization.yaml"), kustomization("", names))
}

// inputs are the directories the rows run in.
type inputs struct {
	work string

	hooksApp, hooksKust  string // (a)
	plain1k, plain1kKust string // (b)
	plain10k             string // (b) scaling
	// (b) for the other shapes: the app and the same files for kustomize.
	shapeApp, shapeKust map[string]string
	// the repo-server rows: one repository per shape under repoBench,
	// the app at <shape>/<shape>.
	repoBench string
	overlay   string // (c)
	hello     string // the hello-world binary
}

func makeInputs(work, hookgen string) (*inputs, error) {
	in := &inputs{work: work}
	repo := filepath.Join(work, "repo")
	for _, dir := range []string{repo, filepath.Join(work, "cmp-repo"), filepath.Join(work, "repo-bench")} {
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(work, "no-config"), 0o755); err != nil { // an empty platform config
		return nil, err
	}
	// (a) hooks only, and the same Jobs written by hand for kustomize.
	in.hooksApp = filepath.Join(repo, "hooks-only")
	if err := writeFile(filepath.Join(in.hooksApp, "hookgen.yaml"), hookSet); err != nil {
		return nil, err
	}
	cmd := exec.Command(hookgen, "generate")
	cmd.Dir = in.hooksApp
	cmd.Env = append(appEnv("hooks-only"), "PATH="+os.Getenv("PATH"), "HOOKGEN_CONFIG_DIR="+filepath.Join(work, "no-config"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("hookgen generate (hooks only): %w\n%s", err, stderr.String())
	}
	in.hooksKust = filepath.Join(repo, "hooks-by-hand")
	var jobs []string
	for i, doc := range strings.Split(string(out), "---\n") {
		name := fmt.Sprintf("job-%d.yaml", i+1)
		if err := writeFile(filepath.Join(in.hooksKust, name), doc); err != nil {
			return nil, err
		}
		jobs = append(jobs, name)
	}
	if len(jobs) != 7 {
		return nil, fmt.Errorf("hooks only: %d Jobs, want 7", len(jobs))
	}
	if err := writeFile(filepath.Join(in.hooksKust, "kustomization.yaml"), kustomization("", jobs)); err != nil {
		return nil, err
	}
	// (b) a plain app of 1,000 ConfigMaps, the same files for kustomize,
	// and 10,000 for the scaling.
	in.plain1k = filepath.Join(repo, "plain-1000")
	names, err := plainApp(in.plain1k, 1000)
	if err != nil {
		return nil, err
	}
	in.plain1kKust = filepath.Join(repo, "plain-1000-kustomize")
	if err := sameFiles(in.plain1k, in.plain1kKust, names); err != nil {
		return nil, err
	}
	// (d) the same app alone in a repository: the cmp-server sends the
	// whole repository to the plugin.
	cmpApp := filepath.Join(work, "cmp-repo", "plain-1000")
	if err := sameFiles(in.plain1k, cmpApp, append(names, "hookgen.yaml")); err != nil {
		return nil, err
	}
	if err := os.Remove(filepath.Join(cmpApp, "kustomization.yaml")); err != nil {
		return nil, err
	}
	// The other shapes, for (b); every shape alone in a repository of its
	// own for the repo-server rows.
	in.shapeApp, in.shapeKust = map[string]string{}, map[string]string{}
	in.repoBench = filepath.Join(work, "repo-bench")
	for _, s := range benchdata.Shapes {
		app := filepath.Join(in.repoBench, s.Name, s.Name)
		names, err := shapeApp(app, s, 1000)
		if err != nil {
			return nil, err
		}
		if s.Name == "configmaps" {
			continue // row b itself
		}
		in.shapeApp[s.Name] = filepath.Join(repo, "shape-"+s.Name)
		if err := sameFiles(app, in.shapeApp[s.Name], append(names, "hookgen.yaml")); err != nil {
			return nil, err
		}
		if err := os.Remove(filepath.Join(in.shapeApp[s.Name], "kustomization.yaml")); err != nil {
			return nil, err
		}
		in.shapeKust[s.Name] = filepath.Join(repo, "shape-"+s.Name+"-kustomize")
		if err := sameFiles(app, in.shapeKust[s.Name], names); err != nil {
			return nil, err
		}
	}
	in.plain10k = filepath.Join(repo, "plain-10000")
	if _, err := plainApp(in.plain10k, 10000); err != nil {
		return nil, err
	}
	// (c) an overlay over a base of 1,000 resources.
	base := filepath.Join(repo, "kustomize", "base")
	var res []string
	for i := 1; i <= 1000; i++ {
		name := fmt.Sprintf("res-%04d.yaml", i)
		if err := writeFile(filepath.Join(base, name), mixed(i)); err != nil {
			return nil, err
		}
		res = append(res, name)
	}
	sort.Strings(res)
	if err := writeFile(filepath.Join(base, "kustomization.yaml"), kustomization("labels:\n  - pairs: {app.kubernetes.io/part-of: api}\n", res)); err != nil {
		return nil, err
	}
	in.overlay = filepath.Join(repo, "kustomize", "overlays", "prod")
	if err := writeFile(filepath.Join(in.overlay, "kustomization.yaml"), `namespace: api-prod
namePrefix: prod-
resources: [../../base]
images:
  - {name: ghcr.io/acme/svc, newTag: 2.0.0}
patches:
  - target: {kind: Deployment}
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 3
configMapGenerator:
  - name: overlay-settings
    literals: [REGION=eu-west-1, TIER=prod]
`); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(in.overlay, "hookgen.yaml"), hookSet); err != nil {
		return nil, err
	}
	// A hello-world Go binary: the floor for a process start.
	helloDir := filepath.Join(work, "hello")
	if err := writeFile(filepath.Join(helloDir, "go.mod"), "module hello\n\ngo 1.26\n"); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(helloDir, "main.go"), "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hello 1.0\\n\") }\n"); err != nil {
		return nil, err
	}
	hello := filepath.Join(helloDir, "hello")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", hello, ".")
	build.Dir = helloDir
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build hello: %v\n%s", err, out)
	}
	in.hello, err = install(hello, work, "hello")
	return in, err
}

// shapeApp writes n resources of a shape, one file each, and the hook set
// into dir. It returns the file names.
func shapeApp(dir string, s benchdata.Shape, n int) ([]string, error) {
	var names []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("%s-%05d.yaml", s.Name, i)
		if err := writeFile(filepath.Join(dir, name), s.Doc(i)); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, writeFile(filepath.Join(dir, "hookgen.yaml"), hookSet)
}
