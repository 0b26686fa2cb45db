package transform

import (
	"github.com/hookgen/hookgen/internal/benchdata"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSchemaOnlyForKustomize checks, each in a fresh process, that a
// plain or hooks-only run does not load kustomize's OpenAPI schema (kyaml
// parses it on first use, some megabytes), and that a kustomize build
// that needs it (a strategic-merge patch) does.
func TestSchemaOnlyForKustomize(t *testing.T) {
	if probe := os.Getenv("HOOKGEN_SCHEMA_PROBE"); probe != "" {
		schemaProbe(t, probe)
		return
	}
	alloc := func(probe string) uint64 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSchemaOnlyForKustomize$", "-test.v")
		cmd.Env = append(os.Environ(), "HOOKGEN_SCHEMA_PROBE="+probe)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", probe, err, out)
		}
		_, after, ok := strings.Cut(string(out), "allocated: ")
		if !ok {
			t.Fatalf("%s: no measurement:\n%s", probe, out)
		}
		n, err := strconv.ParseUint(strings.Fields(after)[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	plain, kust := alloc("plain"), alloc("kustomize")
	t.Logf("allocated by a plain run: %d bytes; by a kustomize build with a strategic-merge patch: %d bytes", plain, kust)
	if plain > 3<<20 {
		t.Errorf("a plain run allocated %d bytes: is kustomize's schema loaded?", plain)
	}
	if kust < plain+8<<20 {
		t.Errorf("a kustomize build allocated %d bytes, a plain run %d: the probe does not see the schema", kust, plain)
	}
}

func schemaProbe(t *testing.T, probe string) {
	fsys := fstest.MapFS{
		"app/hookgen.yaml": {Data: []byte(benchHooks)},
		"app/cm.yaml":      {Data: []byte(benchdata.ConfigMap(1))},
	}
	if probe == "kustomize" {
		fsys["app/kustomization.yaml"] = &fstest.MapFile{Data: []byte("resources: [cm.yaml, deploy.yaml]\npatches:\n  - patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: d}\n      spec: {template: {spec: {containers: [{name: c, image: x:2}]}}}\n")}
		fsys["app/deploy.yaml"] = &fstest.MapFile{Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x:1}]\n")}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := Run(benchInput(fsys)); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	t.Logf("allocated: %d", after.TotalAlloc-before.TotalAlloc)
}
