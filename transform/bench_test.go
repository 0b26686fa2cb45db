package transform

import (
	"fmt"
	"github.com/hookgen/hookgen/internal/benchdata"
	"io"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/manifest"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// Benchmarks of the three stages of a run on 1, 100, 1,000 and 10,000
// resources (one ConfigMap per file, as written by hand, plus six hooks):
//
//	load       read and split the app's files, parse each document once
//	transform  a whole Run: load, hooks, checks
//	write      print the Result
//
// go test ./transform -run '^$' -bench . -benchmem
// bench/run.sh (make bench) times whole processes against kustomize.

const benchHooks = `apiVersion: hookgen.dev/v1alpha1
kind: HookSet
defaults:
  serviceAccountName: app-hooks
hooks:
  - name: migrate
    uses: migration
    with: {image: "ghcr.io/acme/api:1.8.2", command: [./api, migrate, up], envFrom: [{secretRef: {name: api-db}}]}
  - name: seed
    uses: job
    phase: Sync
    wave: 1
    with: {image: "ghcr.io/acme/api:1.8.2", command: [./api, seed]}
  - name: smoke
    uses: job
    phase: PostSync
    with: {image: "curlimages/curl:8.10.1", args: [--fail, "http://api.$(app.namespace).svc:8080/healthz"]}
    hardening: {runAsUser: 100}
  - name: notify
    uses: job
    phase: [PostSync, SyncFail]
    with: {image: "ghcr.io/acme/notify:0.4.0", args: [--outcome, $(hook.outcome)]}
  - name: backup
    uses: job
    phase: PreDelete
    namespace: ops
    with: {image: "ghcr.io/acme/ops-tools:2.3.0", command: [backup]}
  - name: cleanup
    uses: job
    phase: PostDelete
    namespace: ops
    with: {image: "ghcr.io/acme/ops-tools:2.3.0", command: [cleanup]}
`

var benchSizes = []int{1, 100, 1000, 10000}

func benchRepo(n int) (fstest.MapFS, int64) {
	fsys := fstest.MapFS{"app/hookgen.yaml": {Data: []byte(benchHooks)}}
	size := int64(len(benchHooks))
	for i := 1; i <= n; i++ {
		data := []byte(benchdata.ConfigMap(i))
		fsys[fmt.Sprintf("app/config-%05d.yaml", i)] = &fstest.MapFile{Data: data}
		size += int64(len(data))
	}
	return fsys, size
}

func benchInput(fsys fstest.MapFS) Input {
	return Input{Repo: fsys, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "api", Namespace: "api", RevisionShort: "5f3c2a1"}, RunnerImage: "runner:1"}}
}

func BenchmarkLoad(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			fsys, size := benchRepo(n)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				ps := &problem.Collector{}
				r := &yamlio.Reader{FS: fsys, Limits: yamlio.DefaultLimits(), Problems: ps}
				ms, _ := manifest.AppManifests(r, "app", nil, false, ps)
				if !ps.Empty() || len(ms) != n {
					b.Fatalf("%d manifests: %v", len(ms), ps.Err())
				}
			}
		})
	}
}

func BenchmarkTransform(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			fsys, size := benchRepo(n)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				res, err := Run(benchInput(fsys))
				if err != nil || len(res.Jobs) != 7 {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			fsys, size := benchRepo(n)
			res, err := Run(benchInput(fsys))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := res.WriteTo(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHooksOnly is a hooks-only source: the spec, six hooks, seven
// Jobs printed.
func BenchmarkHooksOnly(b *testing.B) {
	fsys, _ := benchRepo(0)
	b.ReportAllocs()
	for b.Loop() {
		res, err := Run(benchInput(fsys))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := res.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKustomize builds an overlay of a base of n resources in-process.
func BenchmarkKustomize(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			fsys := fstest.MapFS{
				"overlay/hookgen.yaml":       {Data: []byte(benchHooks)},
				"overlay/kustomization.yaml": {Data: []byte("namespace: prod\nnamePrefix: prod-\nresources: [../base]\n")},
			}
			list := "resources:\n"
			for i := 1; i <= n; i++ {
				name := fmt.Sprintf("cm-%05d.yaml", i)
				fsys["base/"+name] = &fstest.MapFile{Data: []byte(benchdata.ConfigMap(i))}
				list += "  - " + name + "\n"
			}
			fsys["base/kustomization.yaml"] = &fstest.MapFile{Data: []byte(list)}
			in := benchInput(fsys)
			in.AppDir = "overlay"
			b.ReportAllocs()
			for b.Loop() {
				res, err := Run(in)
				if err != nil || len(res.Manifests) != n {
					b.Fatal(err)
				}
				if _, err := res.WriteTo(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
