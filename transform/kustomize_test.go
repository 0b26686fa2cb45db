package transform

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n"

func configMap(name string) string { return strings.Replace(cm, "%s", name, 1) }

// TestKustomizeRefusesFetching checks that nothing kustomize would clone or
// download reaches it, wherever it is written: in the app's kustomization,
// in a base's, in a plugin configuration file or inline.
func TestKustomizeRefusesFetching(t *testing.T) {
	spec := setHeader + "hooks: []\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"remote base in a base", map[string]string{
			"app/kustomization.yaml":  "resources: [../base]\n",
			"base/kustomization.yaml": "resources: [cm.yaml]\ncomponents:\n  - https://github.com/acme/c//x?ref=v1\n",
			"base/cm.yaml":            configMap("a"),
		}, `base/kustomization.yaml:3: components: "https://github.com/acme/c//x?ref=v1" is outside the repository`},
		{"scp-like git URL", map[string]string{
			"app/kustomization.yaml": "resources:\n  - git@gitlab.example.com:acme/deploy.git//base\n",
		}, `app/kustomization.yaml:2: resources: "git@gitlab.example.com:acme/deploy.git//base"`},
		{"forced git protocol", map[string]string{
			"app/kustomization.yaml": "bases:\n  - git::https://example.com/acme/deploy.git\n",
		}, `bases: "git::https://example.com/acme/deploy.git"`},
		{"patch transformer file", map[string]string{
			"app/kustomization.yaml": "resources: [cm.yaml]\ntransformers: [patch.yaml]\n",
			"app/cm.yaml":            configMap("a"),
			"app/patch.yaml":         "apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: p}\npath: https://example.com/p.yaml\n",
		}, `app/patch.yaml:4: PatchTransformer: "https://example.com/p.yaml"`},
		{"inline generator", map[string]string{
			"app/kustomization.yaml": "generators:\n  - |-\n    apiVersion: builtin\n    kind: ConfigMapGenerator\n    metadata: {name: g}\n    files: [https://example.com/f]\n",
		}, `app/kustomization.yaml:6: ConfigMapGenerator: "https://example.com/f"`},
		{"strategic merge patch list", map[string]string{
			"app/kustomization.yaml": "resources: [cm.yaml]\ntransformers: [smp.yaml]\n",
			"app/cm.yaml":            configMap("a"),
			"app/smp.yaml":           "apiVersion: builtin\nkind: PatchStrategicMergeTransformer\nmetadata: {name: p}\npaths:\n  - local.yaml\n  - http://example.com/p.yaml\n",
		}, `app/smp.yaml:6: PatchStrategicMergeTransformer: "http://example.com/p.yaml"`},
		{"helm generator file", map[string]string{
			"app/kustomization.yaml": "generators: [helm.yaml]\n",
			"app/helm.yaml":          "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata: {name: h}\nname: redis\n",
		}, `app/helm.yaml:2: HelmChartInflationGenerator: hookgen does not render Helm charts`},
		// Spellings: what kustomize decodes, not what the text says.
		{"kind with a JSON escape", map[string]string{
			"app/kustomization.yaml": "generators: [gen.json]\n",
			"app/gen.json":           `{"apiVersion": "builtin", "kind": "ConfigMap\u0047enerator", "metadata": {"name": "g"}, "files": ["http://example.com/f"]}`,
		}, `app/gen.json:1: ConfigMapGenerator: "http://example.com/f"`},
		{"kind with a YAML hex escape", map[string]string{
			"app/kustomization.yaml": "transformers: [p.yaml]\n",
			"app/p.yaml":             "apiVersion: builtin\nkind: \"Patch\\x54ransformer\"\nmetadata: {name: p}\npath: https://example.com/p.yaml\n",
		}, `app/p.yaml:4: PatchTransformer: "https://example.com/p.yaml"`},
		{"kind across an escaped line break", map[string]string{
			"app/kustomization.yaml": "generators: [g.yaml]\n",
			"app/g.yaml":             "apiVersion: builtin\nkind: \"SecretGen\\\n  erator\"\nmetadata: {name: g}\nenvs: [https://example.com/e]\n",
		}, `app/g.yaml:5: SecretGenerator: "https://example.com/e"`},
		{"kind through an alias", map[string]string{
			"app/kustomization.yaml": "generators: [g.yaml]\n",
			"app/g.yaml":             "apiVersion: builtin\nmetadata: {name: g, labels: {k: &k ConfigMapGenerator}}\nkind: *k\nfiles: [https://example.com/f]\n",
		}, `app/g.yaml:4: ConfigMapGenerator: "https://example.com/f"`},
		{"kind through a merge key", map[string]string{
			"app/kustomization.yaml": "generators: [g.yaml]\n",
			"app/g.yaml":             "<<: {kind: ConfigMapGenerator, apiVersion: builtin}\nmetadata: {name: g}\nfiles: [https://example.com/f]\n",
		}, `app/g.yaml:3: ConfigMapGenerator: "https://example.com/f"`},
		{"generator in a List", map[string]string{
			"app/kustomization.yaml": "generators: [g.yaml]\n",
			"app/g.yaml":             "apiVersion: v1\nkind: List\nitems:\n- apiVersion: builtin\n  kind: ConfigMapGenerator\n  metadata: {name: g}\n  files: [https://example.com/f]\n",
		}, `app/g.yaml:7: ConfigMapGenerator: "https://example.com/f"`},
		{"field name in capitals", map[string]string{
			"app/g.yaml":             "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: g}\nFILES: [https://example.com/f]\n",
			"app/kustomization.yaml": "generators: [g.yaml]\n",
		}, `app/g.yaml:4: ConfigMapGenerator: "https://example.com/f"`},
		{"kustomization key in capitals", map[string]string{
			"app/kustomization.yaml": "RESOURCES:\n  - https://example.com/r.yaml\n",
		}, `app/kustomization.yaml:2: resources: "https://example.com/r.yaml"`},
		{"kustomization key with a long s", map[string]string{
			"app/kustomization.yaml": "re\u017fources:\n  - https://example.com/r.yaml\n",
		}, `app/kustomization.yaml:2: resources: "https://example.com/r.yaml"`},
		{"kustomization through a merge key", map[string]string{
			"app/kustomization.yaml": "<<: {resources: [github.com/acme/deploy//base]}\n",
		}, `app/kustomization.yaml:1: resources: "github.com/acme/deploy//base"`},
		{"kustomization in JSON", map[string]string{
			"app/kustomization.yaml": `{"resources": ["ht\u0074ps://example.com/r.yaml"]}`,
		}, `app/kustomization.yaml:1: resources: "https://example.com/r.yaml"`},
		{"one-line inline generator", map[string]string{
			"app/kustomization.yaml": "generators:\n  - '{apiVersion: builtin, kind: ConfigMapGenerator, metadata: {name: g}, files: [\"https://example.com/f\"]}'\n",
		}, `app/kustomization.yaml:2: ConfigMapGenerator: "https://example.com/f"`},
		{"generator file in UTF-16", map[string]string{
			"app/kustomization.yaml": "generators: [g.yaml]\n",
			"app/g.yaml":             utf16("apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: g}\nfiles: [https://example.com/f]\n"),
		}, `ConfigMapGenerator: "https://example.com/f"`},
		{"external plugin", map[string]string{
			"app/kustomization.yaml": "transformers: [fn.yaml]\n",
			"app/fn.yaml":            "apiVersion: example.com/v1\nkind: Sops\nmetadata:\n  name: s\n  annotations:\n    config.kubernetes.io/function: |\n      exec: {path: /bin/sh}\n",
		}, `external plugins disabled`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.files["app/hookgen.yaml"] = spec
			_, err := run(t, tc.files, yamlio.Limits{})
			wantProblem(t, err, tc.want)
		})
	}
}

// utf16 encodes s as UTF-16 with a byte order mark, little endian.
func utf16(s string) string {
	b := []byte{0xff, 0xfe}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

// TestKustomizeLimits checks that the run's limits hold for what
// kustomize reads.
func TestKustomizeLimits(t *testing.T) {
	lim := yamlio.DefaultLimits()
	lim.MaxFileBytes = 1000
	_, err := run(t, map[string]string{
		"app/hookgen.yaml":       setHeader + "hooks: []\n",
		"app/kustomization.yaml": "resources: [big.yaml]\n",
		"app/big.yaml":           configMap("big") + "data:\n  x: " + strings.Repeat("x", 2000) + "\n",
	}, lim)
	wantProblem(t, err, "app/big.yaml: file is ")
}

func TestKustomizeManifestsSelection(t *testing.T) {
	_, err := run(t, map[string]string{
		"app/hookgen.yaml":       setHeader + "manifests: {recurse: true}\nhooks: []\n",
		"app/kustomization.yaml": "resources: [cm.yaml]\n",
		"app/cm.yaml":            configMap("a"),
	}, yamlio.Limits{})
	wantProblem(t, err, "app/kustomization.yaml: manifests: has no effect in a Kustomize application")
}

// TestKustomizeSymlinks checks kustomize sees symlinks as on disk: a link
// inside the repository is followed, a link out of it is refused, and the
// load restrictor judges a file by where its link leads.
func TestKustomizeSymlinks(t *testing.T) {
	link := func(target string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink}
	}
	base := fstest.MapFS{
		"app/hookgen.yaml":          {Data: []byte(setHeader + "hooks: []\n")},
		"shared/cm.yaml":            {Data: []byte(configMap("shared"))},
		"shared/kustomization.yaml": {Data: []byte("resources: [cm.yaml]\n")},
	}
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string // a problem, or "" for success
	}{
		{"base through a link", fstest.MapFS{
			"app/kustomization.yaml": {Data: []byte("resources: [base]\n")},
			"app/base":               link("../shared"),
		}, ""},
		{"file linked from elsewhere", fstest.MapFS{
			"app/kustomization.yaml": {Data: []byte("resources: [cm.yaml]\n")},
			"app/cm.yaml":            link("../shared/cm.yaml"),
		}, `app/kustomization.yaml:1: resource "cm.yaml" (a symlink to shared/cm.yaml) is outside the kustomization's directory (app/)`},
		{"link out of the repository", fstest.MapFS{
			"app/kustomization.yaml": {Data: []byte("resources: [cm.yaml]\n")},
			"app/cm.yaml":            link("../../etc/passwd"),
		}, "app/cm.yaml: a symlink leads outside the repository"},
		{"absolute link", fstest.MapFS{
			"app/kustomization.yaml": {Data: []byte("resources: [cm.yaml]\n")},
			"app/cm.yaml":            link("/etc/passwd"),
		}, "app/cm.yaml: a symlink leads outside the repository"},
		{"link loop", fstest.MapFS{
			"app/kustomization.yaml": {Data: []byte("resources: [a]\n")},
			"app/a":                  link("b"),
			"app/b":                  link("a"),
		}, "too many links"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for k, v := range base {
				fsys[k] = v
			}
			for k, v := range tc.files {
				fsys[k] = v
			}
			res, err := Run(Input{Repo: fsys, AppDir: "app"})
			if tc.want != "" {
				wantProblem(t, err, tc.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Manifests) != 1 || res.Manifests[0].Name != "shared" {
				t.Fatalf("got %d manifests", len(res.Manifests))
			}
		})
	}
}

// TestKustomizeNamespace checks that hooks follow the app kustomization's
// namespace unless they name one, and that a base's namespace does not
// count.
func TestKustomizeNamespace(t *testing.T) {
	files := map[string]string{
		"app/hookgen.yaml": setHeader + `hooks:
  - {name: a, uses: job, phase: PreSync, with: {image: "x:1"}}
  - {name: b, uses: job, phase: PreSync, namespace: other, with: {image: "x:1"}}
  - {name: c, uses: job, phase: PreSync, generateName: true, with: {image: "x:1"}}
`,
		"app/kustomization.yaml":  "namespace: team\nresources: [../base]\n",
		"base/kustomization.yaml": "namespace: base-ns\nresources: [cm.yaml]\n",
		"base/cm.yaml":            configMap("a"),
	}
	out, err := run(t, files, yamlio.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  name: a-presync\n  namespace: team\n", "  name: b-presync\n  namespace: other\n", "  generateName: c-presync-\n  namespace: team\n", "  name: a\n  namespace: team\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	files["app/kustomization.yaml"] = "resources: [../base]\n"
	out, err = run(t, files, yamlio.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "  name: a-presync\n  labels:") {
		t.Errorf("a hook followed a base's namespace:\n%s", out)
	}
}

// TestKustomizeConcurrent builds in parallel: the same bytes every time.
func TestKustomizeConcurrent(t *testing.T) {
	files := map[string]string{
		"app/hookgen.yaml":       setHeader + "hooks: []\n",
		"app/kustomization.yaml": "namePrefix: p-\nresources: [cm.yaml]\nconfigMapGenerator: [{name: g, literals: [a=b]}]\n",
		"app/cm.yaml":            configMap("a"),
	}
	want, err := run(t, files, yamlio.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			got, err := run(t, files, yamlio.Limits{})
			if err != nil || got != want {
				t.Errorf("run differs: %v\n%s", err, got)
			}
		})
	}
	wg.Wait()
}

// TestKustomizeProblemsKeepTheirPlace checks that a kustomization kustomize
// cannot build is reported at the file, line and column of what is wrong,
// in hookgen's words, and that what hookgen cannot place keeps kustomize's
// innermost message with repository paths.
func TestKustomizeProblemsKeepTheirPlace(t *testing.T) {
	spec := setHeader + "hooks: []\n"
	svc := "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // every problem, one a line
	}{
		{"missing resource, a close name", map[string]string{
			"app/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - servce.yaml\n",
			"app/service.yaml":       svc,
		}, `app/kustomization.yaml:4:5: resource "servce.yaml" not found (did you mean "service.yaml"?)`},
		{"missing resource, no close name", map[string]string{
			"app/kustomization.yaml": "resources: [cm.yaml, deployment.yaml]\n",
			"app/cm.yaml":            configMap("a"),
		}, `app/kustomization.yaml:1:22: resource "deployment.yaml" not found; the path is relative to the kustomization's directory (app/)`},
		{"missing base directory", map[string]string{
			"app/kustomization.yaml":  "resources:\n  - ../bse\n",
			"base/kustomization.yaml": "resources: [cm.yaml]\n",
			"base/cm.yaml":            configMap("a"),
		}, `app/kustomization.yaml:2:5: resource "../bse" not found (did you mean "base"?)`},
		{"base outside the repository", map[string]string{
			"app/kustomization.yaml": "resources:\n  - ../../base\n",
		}, `app/kustomization.yaml:2:5: resource "../../base" is outside the repository; hookgen reads nothing outside it`},
		{"missing resource in a base", map[string]string{
			"app/kustomization.yaml":  "resources: [../base]\n",
			"base/kustomization.yaml": "resources:\n  - cm.yaml\n  - secret.yaml\n",
			"base/cm.yaml":            configMap("a"),
		}, `base/kustomization.yaml:3:5: resource "secret.yaml" not found; the path is relative to the kustomization's directory (base/)`},
		{"directory without a kustomization", map[string]string{
			"app/kustomization.yaml": "resources: [../base]\n",
			"base/cm.yaml":           configMap("a"),
		}, `app/kustomization.yaml:1:13: resource "../base" is a directory without a kustomization.yaml: add one, or list its files`},
		{"unknown field", map[string]string{
			"app/kustomization.yaml": "resources: [cm.yaml]\nnamePrefx: dev-\n",
			"app/cm.yaml":            configMap("a"),
		}, `app/kustomization.yaml:2:1: unknown field "namePrefx" in a kustomization (did you mean "namePrefix"?)`},
		{"tab in the kustomization", map[string]string{
			"app/kustomization.yaml": "resources:\n  - cm.yaml\n\t- other.yaml\n",
			"app/cm.yaml":            configMap("a"),
		}, `app/kustomization.yaml:3:1: invalid YAML: a tab in the indentation; YAML indents with spaces only: replace the tab with spaces`},
		{"malformed patch", map[string]string{
			"app/kustomization.yaml": "resources: [cm.yaml]\npatches:\n  - path: patch.yaml\n",
			"app/cm.yaml":            configMap("a"),
			"app/patch.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: [\n",
		}, `app/patch.yaml:5: invalid YAML: did not find expected node content`},
		{"missing patch", map[string]string{
			"app/kustomization.yaml": "resources: [cm.yaml]\npatches:\n  - path: pacth.yaml\n",
			"app/cm.yaml":            configMap("a"),
			"app/patch.yaml":         configMap("a"),
		}, `app/kustomization.yaml:3:11: patch "pacth.yaml" not found (did you mean "patch.yaml"?)`},
		{"patch outside the kustomization's directory", map[string]string{
			"app/kustomization.yaml": "resources: [cm.yaml]\npatches:\n  - path: ../shared/patch.yaml\n",
			"app/cm.yaml":            configMap("a"),
			"shared/patch.yaml":      configMap("a"),
		}, `app/kustomization.yaml:3:11: patch "../shared/patch.yaml" is outside the kustomization's directory (app/): kustomize reads files only in and below it; move the file there, or put it in a base or component the kustomization lists`},
		{"resource that does not parse", map[string]string{
			"app/kustomization.yaml": "resources: [cm.yaml]\n",
			"app/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n data: {}\n",
		}, `app/cm.yaml:9: invalid YAML: did not find expected key`},
		{"missing generator file", map[string]string{
			"app/kustomization.yaml": "configMapGenerator:\n  - name: settings\n    files: [app.properties]\n",
		}, `app/kustomization.yaml:3:13: file "app.properties" not found; the path is relative to the kustomization's directory (app/)`},
		{"a patch that matches nothing keeps kustomize's words", map[string]string{
			"app/kustomization.yaml": "resources: [cm.yaml]\npatches:\n  - path: patch.yaml\n",
			"app/cm.yaml":            configMap("a"),
			"app/patch.yaml":         configMap("b"),
		}, `app/kustomization.yaml: kustomize build: no resource matches strategic merge patch "ConfigMap.v1.[noGrp]/b.[noNs]": no matches for Id ConfigMap.v1.[noGrp]/b.[noNs]; failed to find unique target for patch ConfigMap.v1.[noGrp]/b.[noNs]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.files["app/hookgen.yaml"] = spec
			_, err := run(t, tc.files, yamlio.Limits{})
			var ps problem.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("got %v, want problems", err)
			}
			var got []string
			for _, p := range ps {
				s := p.Error()
				if p.Pos.Col > 0 {
					// Problem.Error leaves the column out; the local commands print it.
					s = strings.Replace(s, fmt.Sprintf(":%d: ", p.Pos.Line), fmt.Sprintf(":%d:%d: ", p.Pos.Line, p.Pos.Col), 1)
				}
				got = append(got, s)
			}
			if strings.Join(got, "\n") != tc.want {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), tc.want)
			}
		})
	}
}

// TestKustomizeDiagnosisOddShapes feeds kustomizations of odd shapes to a
// failing build: each must end in problems, never a panic or a success.
func TestKustomizeDiagnosisOddShapes(t *testing.T) {
	for _, k := range []string{
		"resources: {a: b}\nnamePrefx: x\n",
		"resources: [123, null, [a], {b: c}]\nbases: x\n",
		"patches: [a, {path: [x]}, {path: ''}]\nresources: [missing.yaml]\n",
		"- a\n- b\n",
		"resources:\n  - ''\n  - .\n  - ./\n  - ../app/missing.yaml\n",
		"configMapGenerator: [{name: a, env: ../../x}, {files: [k=], envs: [=]}]\nresources: [nope]\n",
		"components: [../app]\nresources: [cm.yaml]\n",
	} {
		_, err := run(t, map[string]string{
			"app/hookgen.yaml":       setHeader + "hooks: []\n",
			"app/kustomization.yaml": k,
		}, yamlio.Limits{})
		var ps problem.Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Errorf("%q: got %v, want problems", k, err)
		}
		t.Logf("%q:\n%v", k, err)
	}
}
