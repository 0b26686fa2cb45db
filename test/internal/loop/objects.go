package loop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
	"github.com/hookgen/hookgen/test/internal/proc"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// nodeYAML is the fake node kwok manages (selected by its annotation).
const nodeYAML = `apiVersion: v1
kind: Node
metadata:
  name: ` + NodeName + `
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: ` + NodeName + `
    kubernetes.io/os: linux
    type: kwok
spec:
  podCIDR: 10.0.0.0/24
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
  nodeInfo: {architecture: amd64, operatingSystem: linux}
`

// kwokConfig sets every option explicitly: with a config file kwok does
// not apply its +default values (playStageParallelism must be > 0 ...).
func kwokConfig(port int) string {
	return fmt.Sprintf(`apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  manageNodesWithAnnotationSelector: kwok.x-k8s.io/node=fake
  serverAddress: 127.0.0.1:%d
  nodeLeaseDurationSeconds: 40
  nodeLeaseParallelism: 4
  podPlayStageParallelism: 4
  nodePlayStageParallelism: 4
  podsOnNodeSyncParallelism: 1
  cidr: 10.0.0.1/24
  nodeIP: 192.0.2.1
`, port)
}

// podFailStage fails running pods labelled kwok-fail=true with exit code 1.
var podFailStage = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-fail
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: .metadata.deletionTimestamp, operator: DoesNotExist}
    - {key: .status.phase, operator: In, values: [Running]}
    - {key: '.metadata.labels["` + FailLabel + `"]', operator: In, values: ["true"]}
  next:
` + failedPodStatus("simulated failure (kwok pod-fail stage)")

// failedPodStatus is a Stage's next step that ends a pod with exit code 1.
func failedPodStatus(message string) string {
	return `    statusTemplate: |
      {{ $now := Now }}
      containerStatuses:
      {{ range $index, $item := .spec.containers }}
      - image: {{ $item.image | Quote }}
        name: {{ $item.name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: 1
            finishedAt: {{ $now | Quote }}
            reason: Error
            message: ` + strconv.Quote(message) + `
            startedAt: {{ $now | Quote }}
      {{ end }}
      phase: Failed
`
}

// argoConfig is the minimum Argo CD needs in the cluster besides the CRDs.
const argoConfig = `apiVersion: v1
kind: Namespace
metadata: {name: ` + ArgoNamespace + `}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm, namespace: ` + ArgoNamespace + `, labels: {app.kubernetes.io/part-of: argocd}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-rbac-cm, namespace: ` + ArgoNamespace + `, labels: {app.kubernetes.io/part-of: argocd}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cmd-params-cm, namespace: ` + ArgoNamespace + `, labels: {app.kubernetes.io/part-of: argocd}}
---
apiVersion: v1
kind: Secret
metadata: {name: argocd-secret, namespace: ` + ArgoNamespace + `, labels: {app.kubernetes.io/part-of: argocd}}
stringData: {server.secretkey: loop-test-secret-key}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: default, namespace: ` + ArgoNamespace + `}
spec:
  sourceRepos: ['*']
  destinations: [{namespace: '*', server: '*'}]
  clusterResourceWhitelist: [{group: '*', kind: '*'}]
`

// moduleDir returns the module cache directory of module@version, fetching
// it through the module proxy if needed. It runs in the tools module that
// builds the binary, so the same GOMODCACHE and GOPROXY apply.
func moduleDir(ctx context.Context, toolModule, module, version string) (string, error) {
	root, err := tools.RepoRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", module+"@"+version)
	cmd.Dir = filepath.Join(root, "test", "tools", toolModule)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("loop: go mod download %s@%s: %v\n%s", module, version, err, stderr.Bytes())
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", err
	}
	if info.Dir == "" {
		return "", fmt.Errorf("loop: go mod download %s@%s: %s", module, version, info.Error)
	}
	return info.Dir, nil
}

// argoCRDs returns the Application and AppProject CRDs of the Argo CD
// release that runs the stack.
func argoCRDs(ctx context.Context, argo cmpserver.Argo) ([][]byte, error) {
	module := "github.com/argoproj/argo-cd/v2"
	if argo == cmpserver.ArgoV3 {
		module = "github.com/argoproj/argo-cd/v3"
	}
	dir, err := moduleDir(ctx, string(argo), module, argo.Release())
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, f := range []string{"application-crd.yaml", "appproject-crd.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, "manifests", "crds", f))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// kwokStages renders kwok's own "fast" stage set (node initialisation,
// heartbeat with lease, pod ready/complete/delete) with kustomize, makes
// pod-complete skip pods labelled kwok-fail, and adds pod-fail. It also
// returns kwok's Stage CRD: the stack serves the stages as Stage objects,
// so a test can add more while kwok runs (FailJobs).
func kwokStages(ctx context.Context, kustomize, tmp string) (stages, crd []byte, err error) {
	dir, err := moduleDir(ctx, "kwok", "sigs.k8s.io/kwok", "v0.8.0")
	if err != nil {
		return nil, nil, err
	}
	crd, err = os.ReadFile(filepath.Join(dir, "kustomize", "crd", "bases", "kwok.x-k8s.io_stages.yaml"))
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, kustomize, "build", filepath.Join(dir, "kustomize", "stage", "fast"))
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("loop: kustomize build of kwok's stages: %v\n%s", err, stderr.Bytes())
	}
	docs, err := kubeapi.SplitDocuments(out)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	patched := false
	for _, d := range docs {
		var obj map[string]any
		if err := json.Unmarshal(d, &obj); err != nil {
			return nil, nil, err
		}
		if kubeapi.Nested(obj, "metadata", "name") == "pod-complete" {
			sel := kubeapi.Nested(obj, "spec", "selector").(map[string]any)
			exprs, _ := sel["matchExpressions"].([]any)
			sel["matchExpressions"] = append(exprs, map[string]any{
				"key": `.metadata.labels["` + FailLabel + `"]`, "operator": "DoesNotExist",
			})
			patched = true
		}
		y, err := yaml.Marshal(obj)
		if err != nil {
			return nil, nil, err
		}
		buf.WriteString("---\n")
		buf.Write(y)
	}
	if !patched {
		return nil, nil, fmt.Errorf("loop: kwok's stages have no pod-complete stage")
	}
	buf.WriteString("---\n" + podFailStage)
	return buf.Bytes(), crd, nil
}

// waitCRD waits until the CRD is Established and the API server's
// discovery serves its group and versions: an Established CRD can still
// be missing from discovery for a moment, and every request that finds
// its path through discovery (Apply, ObjectPath) would fail with a 404.
func waitCRD(ctx context.Context, api *kubeapi.Server, name string) error {
	var obj map[string]any
	err := proc.Poll(ctx, 100*time.Millisecond, func() (bool, error) {
		var found bool
		var err error
		obj, found, err = api.GetObject(ctx, "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name)
		return err == nil && found && HasCondition(obj, "Established"), err
	})
	if err != nil {
		return fmt.Errorf("loop: CRD %s not established: %w", name, err)
	}
	group, _ := kubeapi.Nested(obj, "spec", "group").(string)
	versions, _ := kubeapi.Nested(obj, "spec", "versions").([]any)
	for _, v := range versions {
		m, _ := v.(map[string]any)
		version, _ := m["name"].(string)
		if served, _ := m["served"].(bool); !served || version == "" {
			continue
		}
		err := proc.Poll(ctx, 100*time.Millisecond, func() (bool, error) {
			r, err := api.Get(ctx, "/apis/"+group+"/"+version)
			if err != nil {
				return false, err
			}
			if !r.OK() {
				return false, fmt.Errorf("%s", r)
			}
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("loop: CRD %s: %s/%s not served: %w", name, group, version, err)
		}
	}
	return nil
}

// HasCondition reports whether obj has a status condition of type typ with
// status "True".
func HasCondition(obj map[string]any, typ string) bool {
	conds, _ := kubeapi.Nested(obj, "status", "conditions").([]any)
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == typ && m["status"] == "True" {
			return true
		}
	}
	return false
}

// nodeReady: kwok reports the node Ready and the node-lifecycle controller
// has removed the not-ready taint the NodeTaint admission put on it.
func nodeReady(ctx context.Context, api *kubeapi.Server) (bool, error) {
	obj, found, err := api.GetObject(ctx, "v1", "Node", "", NodeName)
	if err != nil || !found {
		return false, err
	}
	if !HasCondition(obj, "Ready") {
		return false, fmt.Errorf("node %s not Ready", NodeName)
	}
	taints, _ := kubeapi.Nested(obj, "spec", "taints").([]any)
	for _, tt := range taints {
		if m, _ := tt.(map[string]any); m["key"] == "node.kubernetes.io/not-ready" {
			return false, fmt.Errorf("node %s still tainted not-ready", NodeName)
		}
	}
	return true, nil
}
