package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestKustomizeEquivalence runs the real `kustomize build` on every
// golden case whose application is a kustomization, the way Argo CD runs
// it, and checks that hookgen's golden output is that build followed by
// hookgen's Jobs: each document byte for byte, except those annotate
// rules changed, which may differ only in Argo CD and Helm annotations.
func TestKustomizeEquivalence(t *testing.T) {
	bin := kustomize(t) // krm_test.go: v5.8.2, installed if missing
	cases, err := filepath.Glob(filepath.Join("testdata", "*", "repo"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, repo := range cases {
		dir := filepath.Dir(repo)
		env := readEnv(t, filepath.Join(dir, "env"))
		app := filepath.Join(repo, filepath.FromSlash(env["ARGOCD_APP_SOURCE_PATH"]))
		if !hasKustomization(app) {
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, "expected.yaml"))
		if err != nil {
			continue // a case about an error: nothing to build (and nothing to fetch)
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(bin, "build", ".")
			cmd.Dir = app
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("kustomize build: %v\n%s", err, stderr.Bytes())
			}
			built := splitStream(stdout.Bytes())
			got := splitStream(want)
			if len(got) < len(built) {
				t.Fatalf("hookgen printed %d documents, kustomize built %d", len(got), len(built))
			}
			for i, doc := range built {
				if bytes.Equal(doc, got[i]) {
					continue
				}
				a, b := withoutHookAnnotations(t, doc), withoutHookAnnotations(t, got[i])
				if !reflect.DeepEqual(a, b) {
					t.Errorf("document %d differs from kustomize's beyond Argo CD and Helm annotations:\n--- kustomize\n%s--- hookgen\n%s", i+1, doc, got[i])
				}
			}
			for i, doc := range got[len(built):] {
				var m map[string]any
				if err := yaml.Unmarshal(doc, &m); err != nil {
					t.Fatal(err)
				}
				md, _ := m["metadata"].(map[string]any)
				labels, _ := md["labels"].(map[string]any)
				if m["kind"] != "Job" || labels["app.kubernetes.io/managed-by"] != "hookgen" {
					t.Errorf("document %d after kustomize's build is not a hookgen Job:\n%s", len(built)+i+1, doc)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no golden case is a kustomization")
	}
}

func hasKustomization(dir string) bool {
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// splitStream splits a YAML stream at its "---" lines.
func splitStream(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		end := len(b)
		if j >= 0 {
			end = i + j + 1
		}
		if string(b[i:end]) == "---\n" {
			out = append(out, b[start:i])
			start = end
		}
		i = end
	}
	return append(out, b[start:])
}

// withoutHookAnnotations parses a document and drops the annotations an
// annotate rule may set or convert.
func withoutHookAnnotations(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(doc, &m); err != nil {
		t.Fatalf("%v:\n%s", err, doc)
	}
	md, _ := m["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	for k := range ann {
		if strings.HasPrefix(k, "argocd.argoproj.io/") || strings.HasPrefix(k, "helm.sh/") {
			delete(ann, k)
		}
	}
	if ann != nil && len(ann) == 0 {
		delete(md, "annotations")
	}
	return m
}
