// Package bench times row (d) of bench/run.sh (make bench): manifest
// generation through the real argocd-cmp-server, the hookgen plugin next to
// a plugin that only cats the same files. bench/run.sh runs it when the
// test tools are built:
//
//	cd test && HOOKGEN_BENCH_REPO=... HOOKGEN_BENCH_APP=... \
//	  HOOKGEN_BENCH_HOOKGEN=.../bin/hookgen HOOKGEN_BENCH_OUT=cmp.json \
//	  go test -run TestCMPBench ./_cmpbench
//
// The directory's leading underscore keeps it out of ./... patterns (and
// out of go mod tidy, which matters while the test module with its
// cmp-server harness is not merged yet): only bench/run.sh runs it.
//
// Every response's manifests are hashed and must equal the first response
// of the same server. It writes the durations as JSON ({"hookgen": [ns...], "cat": [ns...],
// "argo": "..."}), which the bench program turns into row (d).
package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/hookgen/hookgen/test/internal/benchdata"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
)

const hookgenPlugin = `apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata: {name: hookgen}
spec:
  version: v1
  generate: {command: [hookgen, generate]}
  discover: {fileName: ./hookgen.yaml}
`

func TestCMPBench(t *testing.T) {
	repo, app, hookgen, out := os.Getenv("HOOKGEN_BENCH_REPO"), os.Getenv("HOOKGEN_BENCH_APP"), os.Getenv("HOOKGEN_BENCH_HOOKGEN"), os.Getenv("HOOKGEN_BENCH_OUT")
	if repo == "" || app == "" || hookgen == "" || out == "" {
		t.Fatal("set HOOKGEN_BENCH_REPO, HOOKGEN_BENCH_APP, HOOKGEN_BENCH_HOOKGEN and HOOKGEN_BENCH_OUT (bench/run.sh does)")
	}
	runs := 21
	if n, err := strconv.Atoi(os.Getenv("HOOKGEN_BENCH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	hs := cmpserver.Start(t, cmpserver.Options{
		Argo:       cmpserver.ArgoV2,
		PluginYAML: []byte(hookgenPlugin),
		PATH:       filepath.Dir(hookgen) + string(os.PathListSeparator) + os.Getenv("PATH"),
		Env:        []string{"HOOKGEN_CONFIG_DIR=" + t.TempDir(), "HOOKGEN_RUNNER_IMAGE=ghcr.io/hookgen/hookgen:v0.1.0"},
		LogLevel:   "warn",
	})
	cs := cmpserver.Start(t, cmpserver.Options{Argo: cmpserver.ArgoV2, PluginYAML: []byte(cmpserver.CatPluginYAML), LogLevel: "warn"})
	hc, cc := hs.MustDial(t), cs.MustDial(t)
	r := cmpserver.Repo{Root: repo, AppPath: app, ExcludedGlobs: []string{".git/*"}}
	env := []string{
		"ARGOCD_APP_NAME=api", "ARGOCD_APP_NAMESPACE=api", "ARGOCD_APP_PROJECT_NAME=default",
		"ARGOCD_APP_REVISION=5f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", "ARGOCD_APP_SOURCE_PATH=" + app,
		"ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/acme/api.git", "ARGOCD_APP_SOURCE_TARGET_REVISION=main",
		"KUBE_VERSION=1.33.1",
	}
	// Every response must equal the first of the same server (its SHA-256).
	want := map[*cmpserver.Client]string{}
	generate := func(c *cmpserver.Client) time.Duration {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		start := time.Now()
		ms, err := c.GenerateManifest(ctx, r, env)
		d := time.Since(start)
		if err != nil {
			t.Fatalf("%s: %v", c.Socket, err)
		}
		if len(ms) < 1000 {
			t.Fatalf("%s: %d manifests, want at least 1,000", c.Socket, len(ms))
		}
		h := sha256.New()
		for _, m := range ms {
			fmt.Fprintf(h, "%d\n%s\n", len(m), m)
		}
		sum := hex.EncodeToString(h.Sum(nil))
		if want[c] == "" {
			want[c] = sum
		} else if sum != want[c] {
			t.Fatalf("%s: the manifests' sha256 is %s, the first response's %s", c.Socket, sum, want[c])
		}
		return d
	}
	generate(hc) // warm up
	generate(cc)
	var res benchdata.CmpResult
	res.Argo = cmpserver.ArgoV2.Release() + " argocd-cmp-server"
	var err error
	if res.TempFS, err = cmpserver.TempFS(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < runs; i++ {
		if i%2 == 0 {
			res.Hookgen = append(res.Hookgen, generate(hc))
			res.Cat = append(res.Cat, generate(cc))
		} else {
			res.Cat = append(res.Cat, generate(cc))
			res.Hookgen = append(res.Hookgen, generate(hc))
		}
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
