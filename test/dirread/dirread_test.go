package dirread

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v2/reposerver/apiclient"
	"github.com/argoproj/argo-cd/v2/reposerver/repository"
	"github.com/argoproj/argo-cd/v2/util/git"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/hookgen/hookgen/test/internal/tools"
)

// minCases is the least number of directories the corpus must hold.
const minCases = 40

var hookgenBin string

// hookgenFailed separates a failed run's exit status from its stderr.
const hookgenFailed = ", stderr:\n"

func TestMain(m *testing.M) {
	os.Exit(tools.WithHookgen(func(dir string) int {
		hookgenBin = filepath.Join(dir, "hookgen")
		return m.Run()
	}))
}

// A case is a directory under testdata/dirs/: the app, and the repository
// root too. It holds:
//
//	README       one line: what the case exercises (never a manifest: no
//	             .yaml/.yml/.json/.jsonnet name)
//	hookgen.yaml a HookSet with one hook; its manifests: settings become
//	             the Application's directory settings (recurse, include,
//	             exclude) for Argo CD
//	mismatch     only where hookgen knowingly differs: a line
//	             "hookgen-fails: <text of its error>", then why
//	app-path     optional: the app's directory inside the case, which
//	             is then the repository root (hookgen.yaml lives there)
//
// The other files are the app's (and, with app-path, the repository's).

// manifestsSpec is the part of hookgen.yaml that chooses the app's files.
type manifestsSpec struct {
	Manifests struct {
		Recurse bool     `json:"recurse"`
		Include []string `json:"include"`
		Exclude []string `json:"exclude"`
	} `json:"manifests"`
}

func TestDirectoryReadingMatchesArgoCD(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "dirs", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < minCases {
		t.Fatalf("the corpus holds %d directories under testdata/dirs, want at least %d", len(dirs), minCases)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			abs, err := filepath.Abs(dir)
			if err != nil {
				t.Fatal(err)
			}
			readme, err := os.ReadFile(filepath.Join(abs, "README"))
			if err != nil || len(bytes.TrimSpace(readme)) == 0 {
				t.Fatalf("the case needs a one-line README saying what it exercises: %v", err)
			}
			appPath := "."
			if data, err := os.ReadFile(filepath.Join(abs, "app-path")); err == nil {
				appPath = strings.TrimSpace(string(data))
			}
			var spec manifestsSpec
			data, err := os.ReadFile(filepath.Join(abs, appPath, "hookgen.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal(data, &spec); err != nil {
				t.Fatalf("hookgen.yaml: %v", err)
			}
			argo, argoErr := argoObjects(abs, appPath, spec)
			mine, hookErr := hookgenObjects(abs, appPath)
			want, known := mismatch(t, abs)
			switch {
			case known:
				if hookErr == nil || !strings.Contains(hookErr.Error(), want) {
					t.Fatalf("hookgen should fail with %q (the case's mismatch file), got %v", want, hookErr)
				}
				if argoErr != nil {
					t.Fatalf("Argo CD fails too, so the mismatch file is out of date: %v", argoErr)
				}
			case argoErr != nil && hookErr != nil:
				t.Logf("both fail\nArgo CD: %v\nhookgen: %v", argoErr, hookErr)
				namesFile(t, abs, hookErr)
			case argoErr != nil:
				t.Fatalf("Argo CD fails, hookgen does not:\nArgo CD: %v\nhookgen printed:\n%s", argoErr, strings.Join(mine, "\n"))
			case hookErr != nil:
				t.Fatalf("hookgen fails, Argo CD does not:\nhookgen: %v\nArgo CD read:\n%s", hookErr, strings.Join(argo, "\n"))
			default:
				slices.Sort(argo)
				slices.Sort(mine)
				if !slices.Equal(argo, mine) {
					t.Fatalf("the objects differ\nArgo CD (%d):\n%s\nhookgen (%d):\n%s", len(argo), strings.Join(argo, "\n"), len(mine), strings.Join(mine, "\n"))
				}
			}
		})
	}
}

// namesFile checks that each of hookgen's problems starts with a file of
// the case (file: or file:line:).
func namesFile(t *testing.T, dir string, err error) {
	t.Helper()
	_, stderr, _ := strings.Cut(err.Error(), hookgenFailed)
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		file, _, ok := strings.Cut(line, ":")
		if !ok {
			t.Errorf("hookgen's problem %q names no file", line)
			continue
		}
		if _, err := os.Lstat(filepath.Join(dir, file)); err != nil {
			t.Errorf("hookgen's problem %q names no file of the case: %v", line, err)
		}
	}
}

// mismatch reads a case's known difference: the text of hookgen's error.
func mismatch(t *testing.T, dir string) (string, bool) {
	data, err := os.ReadFile(filepath.Join(dir, "mismatch"))
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	want, ok := strings.CutPrefix(first, "hookgen-fails: ")
	if !ok || want == "" {
		t.Fatalf("mismatch: the first line must be \"hookgen-fails: <error text>\", got %q", first)
	}
	return want, true
}

// argoObjects runs Argo CD's repo-server generation for a directory
// source over root's appPath and returns its objects as canonical JSON, without
// hookgen's own HookSet (Argo CD reads hookgen.yaml as an object).
func argoObjects(root, appPath string, spec manifestsSpec) ([]string, error) {
	q := &apiclient.ManifestRequest{
		Repo:      &v1alpha1.Repository{Repo: "https://git.example.com/acme/dirread.git"},
		AppName:   "dirread",
		Namespace: "dirread",
		ApplicationSource: &v1alpha1.ApplicationSource{
			RepoURL: "https://git.example.com/acme/dirread.git",
			Path:    appPath,
			Directory: &v1alpha1.ApplicationSourceDirectory{
				Recurse: spec.Manifests.Recurse,
				Include: globs(spec.Manifests.Include),
				Exclude: globs(spec.Manifests.Exclude),
			},
		},
	}
	resp, err := repository.GenerateManifests(context.Background(), filepath.Join(root, appPath), root, "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", q, true, &git.NoopCredsStore{}, resource.MustParse("0"), nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range resp.Manifests {
		var obj map[string]any
		if err := json.Unmarshal([]byte(m), &obj); err != nil {
			return nil, err
		}
		if api, _ := obj["apiVersion"].(string); strings.HasPrefix(api, "hookgen.dev/") {
			continue
		}
		out = append(out, canonical(obj))
	}
	return out, nil
}

// globs writes hookgen's list of patterns as Argo CD's one pattern.
func globs(ps []string) string {
	switch len(ps) {
	case 0:
		return ""
	case 1:
		return ps[0]
	}
	return "{" + strings.Join(ps, ",") + "}"
}

// hookgenObjects runs hookgen generate in root's appPath and reads its output as
// Argo CD reads a plugin's (gitops-engine's kube.SplitYAML, then the
// repo-server's expansion of lists), leaving out the Jobs hookgen made.
func hookgenObjects(root, appPath string) ([]string, error) {
	config, err := os.MkdirTemp("", "hookgen-config")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(config)
	cmd := exec.Command(hookgenBin, "generate")
	cmd.Dir = filepath.Join(root, appPath)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"ARGOCD_APP_NAME=dirread",
		"ARGOCD_APP_NAMESPACE=dirread",
		"ARGOCD_APP_SOURCE_PATH=" + appPath,
		"ARGOCD_APP_REVISION=a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		"HOOKGEN_RUNNER_IMAGE=ghcr.io/hookgen/hookgen:v0.1.0",
		"HOOKGEN_CONFIG_DIR=" + config,
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if stdout.Len() > 0 {
			return nil, fmt.Errorf("%v, and %d bytes on stdout: a failing run must print nothing", err, stdout.Len())
		}
		return nil, fmt.Errorf("%v%s%s", err, hookgenFailed, stderr.String())
	}
	objs, err := kube.SplitYAML(stdout.Bytes())
	if err != nil {
		return nil, fmt.Errorf("Argo CD cannot split hookgen's output: %w", err)
	}
	var out []string
	for _, obj := range objs {
		targets, err := expand(obj)
		if err != nil {
			return nil, fmt.Errorf("Argo CD cannot expand hookgen's output: %w", err)
		}
		for _, o := range targets {
			if _, mine := o.GetLabels()["hookgen.dev/hook"]; mine {
				continue
			}
			out = append(out, canonical(o.Object))
		}
	}
	return out, nil
}

// expand is GenerateManifests' reading of one object: a list's items, or
// nothing for a list whose items are null, or the object.
func expand(obj *unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	if obj == nil {
		return nil, nil
	}
	if obj.IsList() {
		var out []*unstructured.Unstructured
		items := obj.Object["items"].([]any)
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("items member is not an object: %T", it)
			}
			out = append(out, &unstructured.Unstructured{Object: m})
		}
		return out, nil
	}
	_, spec := obj.Object["spec"]
	_, status := obj.Object["status"]
	if items, ok := obj.Object["items"]; ok && items == nil && !spec && !status {
		return nil, nil
	}
	return []*unstructured.Unstructured{obj}, nil
}

// canonical writes a decoded object as JSON with sorted keys.
func canonical(obj map[string]any) string {
	b, err := json.Marshal(obj)
	if err != nil {
		return fmt.Sprintf("unencodable: %v", err)
	}
	// Numbers: both sides decode with k8s.io/apimachinery's JSON rules
	// (int64 or float64); a round trip through any makes them one type.
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return fmt.Sprintf("undecodable: %v", err)
	}
	b, _ = json.Marshal(v)
	return string(b)
}
