package transform

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/canon"
	"github.com/hookgen/hookgen/internal/emit"
	"github.com/hookgen/hookgen/internal/hookpolicy"
	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/judge"
	"github.com/hookgen/hookgen/internal/manifest"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// goldenSpecs returns every hookgen.yaml and template of the golden cases,
// as seeds.
func goldenSpecs(f *testing.F) [][]byte {
	var out [][]byte
	for _, pattern := range []string{"../testdata/*/repo/*/hookgen.yaml", "../testdata/*/repo/*/*/hookgen.yaml", "../testdata/*/repo/.hookgen/templates/*.yaml", "templates/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				out = append(out, data)
			}
		}
	}
	if len(out) == 0 {
		f.Fatal("no seeds found")
	}
	return out
}

// FuzzParseHookSet feeds arbitrary bytes to the spec loader: it must never
// panic, and a spec it accepts must generate or fail with Problems.
func FuzzParseHookSet(f *testing.F) {
	for _, s := range goldenSpecs(f) {
		f.Add(s)
	}
	f.Add([]byte("hooks: [{name: a, with: &x {b: *x}}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps := &problem.Collector{}
		hookset.ParseHookSet("hookgen.yaml", data, yamlio.DefaultLimits(), ps, problem.NewOrigins())
		hookset.ParseTemplates("t.yaml", data, hookset.OriginRepo, yamlio.DefaultLimits(), ps)
	})
}

// FuzzParseManifests feeds arbitrary bytes as a manifest file: no panic,
// and every accepted document is printed so that it parses again.
func FuzzParseManifests(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n{\"apiVersion\":\"v1\",\"kind\":\"A\",\"metadata\":{\"name\":\"b\"}}\n"))
	f.Add([]byte("--- {apiVersion: v1, kind: X, metadata: {name: y}}\n...\n%YAML 1.1\n---\na: b\n"))
	f.Add([]byte("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The same bytes as a .json file: one object or a problem.
		if ms := manifest.ParseManifests("m.json", data, yamlio.DefaultLimits(), false, &yamlio.AliasBudget{}, &problem.Collector{}); len(ms) > 1 {
			t.Fatalf("a .json file gave %d objects", len(ms))
		}
		ms := manifest.ParseManifests("m.yaml", data, yamlio.DefaultLimits(), false, &yamlio.AliasBudget{}, &problem.Collector{})
		var b bytes.Buffer
		if _, err := (&emit.Result{Manifests: ms}).WriteTo(&b); err != nil {
			return
		}
		dec := yaml.NewDecoder(&b)
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				if err.Error() == "EOF" {
					return
				}
				t.Fatalf("printed manifests do not parse: %v\n%s", err, b.String())
			}
		}
	})
}

// FuzzRun runs the whole pipeline on a fuzzed hookgen.yaml and manifest:
// no panic; success is deterministic and prints parseable YAML without
// reader annotations; failure prints Problems.
func FuzzRun(f *testing.F) {
	for _, s := range goldenSpecs(f) {
		f.Add(s, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"))
	}
	f.Fuzz(func(t *testing.T, spec, appFile []byte) {
		fsys := fstest.MapFS{
			"app/hookgen.yaml": {Data: spec},
			"app/m.yaml":       {Data: appFile},
		}
		in := Input{Repo: fsys, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "a", Namespace: "n"}, Env: map[string]string{"X": "y"}, RunnerImage: "r:1"}}
		print := func() (string, error) {
			res, err := Run(in)
			if err != nil {
				if _, ok := err.(problem.Problems); !ok {
					t.Fatalf("Run returned %T, want Problems: %v", err, err)
				}
				return "", err
			}
			for _, j := range res.Jobs {
				if msg := startsAsNonRoot(j.Node); msg != "" {
					t.Fatalf("Job %s: %s", j.Name, msg)
				}
			}
			var b bytes.Buffer
			if _, err := res.WriteTo(&b); err != nil {
				t.Fatal(err)
			}
			return b.String(), nil
		}
		first, err := print()
		if err != nil {
			return
		}
		if second, _ := print(); second != first {
			t.Fatal("two runs printed different output")
		}
		if strings.Contains(first, "config.kubernetes.io/") {
			t.Fatal("a reader annotation leaked")
		}
	})
}

// FuzzPolicy runs the pipeline under a fuzzed policy and hookgen.yaml,
// seeded with the hostile corpus: no panic, and whatever succeeds obeys
// the policy when checked again from the output alone.
func FuzzPolicy(f *testing.F) {
	strict, err := os.ReadFile("../testdata/hostile/_strict/policy.yaml")
	if err != nil {
		f.Fatal(err)
	}
	notify, _ := os.ReadFile("../testdata/hostile/_strict/templates/notify.yaml")
	specs, _ := filepath.Glob("../testdata/hostile/*/repo/app/hookgen.yaml")
	for _, file := range specs {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(strict, data)
		}
	}
	f.Fuzz(func(t *testing.T, policy, spec []byte) {
		in := Input{
			Repo:    fstest.MapFS{"app/hookgen.yaml": {Data: spec}},
			AppDir:  "app",
			Config:  fstest.MapFS{"policy.yaml": {Data: policy}, "templates/notify.yaml": {Data: notify}},
			Context: hookspec.Context{App: hookspec.App{Name: "a", Namespace: "n"}, Env: map[string]string{"NS": "kube-system"}, RunnerImage: "r:1"},
		}
		res, err := Run(in)
		if err != nil {
			if _, ok := err.(problem.Problems); !ok {
				t.Fatalf("Run returned %T, want Problems: %v", err, err)
			}
			return
		}
		cfg, err := LoadConfig(in.Config, yamlio.Limits{})
		if err != nil {
			t.Fatalf("the policy loaded for Run but not alone: %v", err)
		}
		// Read back from the printed stream alone, as Kubernetes reads it.
		var out bytes.Buffer
		if _, err := res.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(&out)
		for {
			var doc yaml.Node
			if err := dec.Decode(&doc); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("the output does not parse: %v", err)
			}
			v, err := canon.Value(&doc)
			if err != nil {
				t.Fatalf("the output has no single value: %v", err)
			}
			obj, _ := v.(map[string]any)
			phases, hook := judge.ManifestHook(obj)
			if !hook || cfg.Policy.Open() {
				continue
			}
			var violations []string
			judge.JudgeObject(cfg.Policy, obj, phases, in.Context, false, func(_ hookpolicy.Path, rule, format string, args ...any) {
				violations = append(violations, rule+": "+fmt.Sprintf(format, args...))
			})
			if len(violations) > 0 {
				t.Fatalf("%s passed but breaks %v", judge.ObjName(obj), violations)
			}
		}
	})
}

// startsAsNonRoot checks that a Job whose pod runs under runAsNonRoot
// names a numeric non-root user for every container, so that an image
// whose USER is root or a name starts; "" when it does.
func startsAsNonRoot(job *yaml.Node) string {
	spec := yamlio.Obj(yamlio.Get(yamlio.ValueOf(job), "spec", "template", "spec"))
	psc := yamlio.Obj(spec["securityContext"])
	if !yamlio.IsTrue(psc["runAsNonRoot"]) {
		return ""
	}
	podUser := psc["runAsUser"]
	for _, key := range []string{"initContainers", "containers"} {
		for _, c := range yamlio.List(spec[key]) {
			u := yamlio.Get(c, "securityContext", "runAsUser")
			if u == nil {
				u = podUser
			}
			if n, ok := yamlio.Number(u); !ok || n <= 0 {
				return "a container runs under runAsNonRoot without a numeric non-root runAsUser"
			}
		}
	}
	return ""
}
