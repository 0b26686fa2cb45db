// Package bench times the repo-server rows of bench/run.sh (make bench):
// manifest generation through Argo CD's real argocd-repo-server, with
// redis, and the argocd-cmp-server sidecars next to it, as the loop
// harness (test/internal/loop) starts them: the repository's own
// plugin.yaml with hookgen, and a `cat` plugin that only prints the
// files. The client calls the repo-server's GenerateManifest
// (repository.RepoServerService) with the ManifestRequest the application
// controller builds (controller/state.go of Argo CD v2.14.21), with
// NoCache, as a hard refresh does, so nothing comes from redis.
//
//	cd test && HOOKGEN_BENCH_REPOS=.../repo-bench \
//	  HOOKGEN_BENCH_HOOKGEN=.../bin/hookgen HOOKGEN_BENCH_OUT=repo.json \
//	  go test -run TestRepoBench ./_repobench
//
// HOOKGEN_BENCH_REPOS holds one directory per input shape (bench/main.go
// writes them); each becomes a git repository with the app at the path of
// its own name. For each shape it times, interleaved, the same app as a
// Directory source, as the hookgen plugin and as the cat plugin; every
// response's manifests are hashed and must equal the first response of
// the same source, and the directory source and the hookgen plugin must
// return the same objects for the plain resources.
//
// The monorepo figure: one git repository of 200 small apps, each with a
// hookgen.yaml of 2 hooks, refreshed together (200 concurrent calls with
// the hookgen plugin), once per repo-server configuration: Argo CD's
// defaults, and each of the settings of v2.14 that bear on it
// (--plugin-tar-exclude, --plugin-use-manifest-generate-paths with the
// app's manifest-generate-paths annotation, --parallelismlimit), the
// first two together, and those with a sidecar whose plugin.yaml has no
// discover rule. Every configuration has a repo-server of its own, all on the
// same sidecar but the last; the rounds run the configurations in a
// rotating order.
//
// It writes JSON that the bench program turns into rows and a table.
// The directory's leading underscore keeps it out of ./... patterns: only
// bench/run.sh runs it.
package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/hookgen/hookgen/test/internal/benchdata"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v2/reposerver/apiclient"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/proc"
	"github.com/hookgen/hookgen/test/internal/tools"
)

func TestMain(m *testing.M) { os.Exit(cmpserver.Main(m)) }

// The monorepo: apps of one manifest file (a Deployment, a Service and a
// ConfigMap) and a hookgen.yaml of two hooks. Every plugin request
// streams the repository's files twice (see docs/performance.md), so
// the files of all apps are paid for by each app: one manifest file per
// app keeps a round within minutes on a small machine.
const (
	monoApps    = 200
	monoObjects = 3 + 2 // and the two hooks' Jobs
	monoHookSet = `apiVersion: hookgen.dev/v1alpha1
kind: HookSet
hooks:
  - name: migrate
    uses: migration
    with:
      image: ghcr.io/acme/api:1.8.2
      command: [./api, migrate, up]
  - name: smoke
    uses: job
    phase: PostSync
    with:
      image: curlimages/curl:8.10.1
      args: [--fail, "http://api.$(app.namespace).svc:8080/healthz"]
`
)

// monoApp returns the files of the monorepo's app a.
func monoApp(a int) map[string]string {
	return map[string]string{
		"hookgen.yaml": monoHookSet,
		"app.yaml": fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-%03[1]d
spec:
  replicas: 2
  selector:
    matchLabels: {app: svc-%03[1]d}
  template:
    metadata:
      labels: {app: svc-%03[1]d}
    spec:
      containers:
        - name: main
          image: ghcr.io/acme/svc-%03[1]d:1.4.2
          ports: [{containerPort: 8080}]
          envFrom: [{configMapRef: {name: svc-%03[1]d}}]
---
apiVersion: v1
kind: Service
metadata:
  name: svc-%03[1]d
spec:
  selector: {app: svc-%03[1]d}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: svc-%03[1]d
data:
  LOG_LEVEL: info
  UPSTREAM: http://svc-%03[2]d
`, a, a%monoApps+1),
	}
}

// monoConfig is a repo-server configuration: its flags, whether the
// Applications carry the manifest-generate-paths annotation, and whether
// its hookgen sidecar runs plugin.yaml without the discover rule.
type monoConfig struct {
	name, settings string
	args           []string
	generatePaths  bool
	noDiscover     bool
}

var monoConfigs = []monoConfig{
	{name: "defaults", settings: "Argo CD's defaults"},
	{name: "tar-exclude", settings: "`--plugin-tar-exclude .git/*` (ARGOCD_REPO_SERVER_PLUGIN_TAR_EXCLUSIONS)", args: []string{"--plugin-tar-exclude", ".git/*"}},
	{name: "generate-paths", settings: "`--plugin-use-manifest-generate-paths` and `argocd.argoproj.io/manifest-generate-paths: .` on each app", args: []string{"--plugin-use-manifest-generate-paths"}, generatePaths: true},
	{name: "parallelism-10", settings: "`--parallelismlimit 10` (ARGOCD_REPO_SERVER_PARALLELISM_LIMIT)", args: []string{"--parallelismlimit", "10"}},
	{name: "exclude+paths", settings: "tar-exclude and generate-paths", args: []string{"--plugin-tar-exclude", ".git/*", "--plugin-use-manifest-generate-paths"}, generatePaths: true},
	{name: "exclude+paths, no discover", settings: "tar-exclude and generate-paths, and hookgen's plugin.yaml without `discover` (Applications name the plugin)", args: []string{"--plugin-tar-exclude", ".git/*", "--plugin-use-manifest-generate-paths"}, generatePaths: true, noDiscover: true},
}

func TestRepoBench(t *testing.T) {
	repos, hookgen, out := os.Getenv("HOOKGEN_BENCH_REPOS"), os.Getenv("HOOKGEN_BENCH_HOOKGEN"), os.Getenv("HOOKGEN_BENCH_OUT")
	if repos == "" || hookgen == "" || out == "" {
		t.Fatal("set HOOKGEN_BENCH_REPOS, HOOKGEN_BENCH_HOOKGEN and HOOKGEN_BENCH_OUT (bench/run.sh does)")
	}
	runs := envInt(t, "HOOKGEN_BENCH_RUNS", 12)
	monoRounds := envInt(t, "HOOKGEN_BENCH_MONO_ROUNDS", 2)
	bins, err := tools.LookupAll(string(cmpserver.ArgoV2), tools.RedisServer)
	if err != nil {
		t.Fatal(err)
	}
	plugin, err := pluginYAML()
	if err != nil {
		t.Fatal(err)
	}
	st := startStack(t, bins, plugin, hookgen)

	res := benchdata.RepoResult{Argo: cmpserver.ArgoV2.Release() + " argocd-repo-server and argocd-cmp-server"}
	if res.TempFS, err = cmpserver.TempFS(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(repos)
	if err != nil {
		t.Fatal(err)
	}
	var shapes []string
	for _, e := range entries {
		if e.IsDir() {
			shapes = append(shapes, e.Name())
		}
	}
	if len(shapes) == 0 {
		t.Fatalf("%s holds no shapes", repos)
	}
	rs := st.repoServer(t, "shapes", st.socketDir, nil)
	for _, name := range shapes {
		url := gitRepo(t, filepath.Join(repos, name))
		res.Shapes = append(res.Shapes, benchShape(t, rs, url, name, runs))
	}
	if monoRounds > 0 {
		res.Monorepo = benchMonorepo(t, st, monoRounds)
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q is not a count", name, v)
	}
	return n
}

// pluginYAML is the repository's own plugin.yaml, the one the image ships.
func pluginYAML() ([]byte, error) {
	root, err := tools.RepoRoot()
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(root, "plugin.yaml"))
}

// stack is redis and the two sidecars; repo-servers are started on it.
type stack struct {
	dir       string
	bins      map[string]string
	redis     string
	socketDir string
	plugin    []byte
	hookgen   string
}

func startStack(t *testing.T, bins map[string]string, plugin []byte, hookgen string) *stack {
	dir := proc.TestShortTempDir(t, "rb")
	st := &stack{dir: dir, bins: bins, socketDir: filepath.Join(dir, "s"), plugin: plugin, hookgen: hookgen}
	for _, d := range []string{"home", "tmp", "redis", "s"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	ports, err := proc.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	st.redis = "127.0.0.1:" + strconv.Itoa(ports[0])
	redis, err := proc.Start(proc.Spec{
		Name: "redis-server", Path: bins[tools.RedisServer], Dir: dir, LogPath: filepath.Join(dir, "redis.log"),
		Env:  proc.BaseEnv("", filepath.Join(dir, "home"), filepath.Join(dir, "tmp")),
		Args: []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(ports[0]), "--save", "", "--appendonly", "no", "--dir", filepath.Join(dir, "redis")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = redis.Stop() })
	proc.DumpLogsOnFailure(t, redis)
	hs := st.hookgenSidecar(t, st.socketDir, plugin)
	cs := cmpserver.Start(t, cmpserver.Options{
		Argo: cmpserver.ArgoV2, ArgoPath: bins[string(cmpserver.ArgoV2)], PluginYAML: []byte(cmpserver.CatPluginYAML), SocketDir: st.socketDir,
		LogLevel: "warn",
	})
	if hs.PluginName != "hookgen-v1" || cs.PluginName != "cat-v1" {
		t.Fatalf("plugin names %q and %q, want hookgen-v1 and cat-v1", hs.PluginName, cs.PluginName)
	}
	return st
}

// hookgenSidecar starts the cmp-server of hookgen's plugin.yaml, its
// socket in socketDir.
func (st *stack) hookgenSidecar(t *testing.T, socketDir string, plugin []byte) *cmpserver.Server {
	return cmpserver.Start(t, cmpserver.Options{
		Argo: cmpserver.ArgoV2, ArgoPath: st.bins[string(cmpserver.ArgoV2)], PluginYAML: plugin, SocketDir: socketDir,
		PATH:     filepath.Dir(st.hookgen) + string(os.PathListSeparator) + os.Getenv("PATH"),
		Env:      []string{"HOOKGEN_CONFIG_DIR=" + t.TempDir(), "HOOKGEN_RUNNER_IMAGE=ghcr.io/hookgen/hookgen:v0.1.0"},
		LogLevel: "warn",
	})
}

// withoutDiscover is plugin.yaml without its discover rule.
func withoutDiscover(t *testing.T, plugin []byte) []byte {
	rule := []byte("  discover:\n    fileName: ./hookgen.yaml\n")
	if bytes.Count(plugin, rule) != 1 {
		t.Fatalf("plugin.yaml has no discover rule %q", rule)
	}
	return bytes.Replace(plugin, rule, nil, 1)
}

// repoServer is a running argocd-repo-server and a client of it.
type repoServer struct {
	name   string
	client apiclient.RepoServerServiceClient
}

// repoServer starts argocd-repo-server with extra flags, as the loop
// harness does, and dials it. Its sidecars are those in socketDir.
func (st *stack) repoServer(t *testing.T, name, socketDir string, args []string) *repoServer {
	dir := filepath.Join(st.dir, "repo-server-"+name)
	for _, d := range []string{"home", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	ports, err := proc.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	p, err := proc.Start(proc.Spec{
		Name: "argocd-repo-server (" + name + ")", Path: st.bins[string(cmpserver.ArgoV2)], Dir: dir, LogPath: filepath.Join(dir, "repo-server.log"),
		Env: append(proc.BaseEnv(os.Getenv("PATH"), filepath.Join(dir, "home"), filepath.Join(dir, "tmp")),
			"ARGOCD_BINARY_NAME=argocd-repo-server", "ARGOCD_GPG_ENABLED=false", "ARGOCD_PLUGINSOCKFILEPATH="+socketDir),
		Args: append([]string{"--address", "127.0.0.1", "--port", strconv.Itoa(ports[0]),
			"--metrics-address", "127.0.0.1", "--metrics-port", strconv.Itoa(ports[1]),
			"--redis", st.redis, "--disable-tls", "--loglevel", "warn"}, args...),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop() })
	proc.DumpLogsOnFailure(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.WaitUntil(ctx, 50*time.Millisecond, func(context.Context) (bool, error) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false, err
		}
		c.Close()
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	closer, client, err := apiclient.NewRepoServerClientset(addr, 600, apiclient.TLSConfiguration{DisableTLS: true}).NewRepoServerClient()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closer.Close() })
	return &repoServer{name: name, client: client}
}

// gitRepo makes dir a git repository with everything in it committed on
// main, and returns its file:// URL, which the repo-server clones.
func gitRepo(t *testing.T, dir string) string {
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "bench"}} {
		cmd := exec.Command("git", append([]string{"-c", "user.name=hookgen-bench", "-c", "user.email=bench@hookgen.invalid", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
			"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
		}
	}
	return "file://" + dir
}

// source is how an Application names the app.
type source int

const (
	directory source = iota
	hookgenPlugin
	catPluginSource
)

func (s source) String() string { return [...]string{"directory", "hookgen plugin", "cat plugin"}[s] }

// request is the ManifestRequest the application controller sends for a
// hard refresh of an Application of the default project
// (controller/state.go, Argo CD v2.14.21).
func request(url, path string, s source, generatePaths bool) *apiclient.ManifestRequest {
	src := &v1alpha1.ApplicationSource{RepoURL: url, Path: path, TargetRevision: "main"}
	switch s {
	case directory:
		src.Directory = &v1alpha1.ApplicationSourceDirectory{}
	case hookgenPlugin:
		src.Plugin = &v1alpha1.ApplicationSourcePlugin{Name: "hookgen-v1"}
	case catPluginSource:
		src.Plugin = &v1alpha1.ApplicationSourcePlugin{Name: "cat-v1"}
	}
	name := filepath.Base(path)
	q := &apiclient.ManifestRequest{
		Repo:               &v1alpha1.Repository{Repo: url},
		Revision:           "main",
		NoCache:            true,
		AppLabelKey:        "app.kubernetes.io/instance",
		AppName:            name,
		Namespace:          name,
		ApplicationSource:  src,
		KustomizeOptions:   &v1alpha1.KustomizeOptions{},
		KubeVersion:        "1.33.1",
		ApiVersions:        []string{"v1", "apps/v1", "batch/v1"},
		TrackingMethod:     "label", // Argo CD v2's default,
		HelmOptions:        &v1alpha1.HelmOptions{},
		ProjectName:        "default",
		ProjectSourceRepos: []string{"*"},
	}
	if generatePaths {
		q.AnnotationManifestGeneratePaths = "."
	}
	return q
}

// generate calls GenerateManifest and returns its duration, the SHA-256
// of the manifests in order, and the manifests.
func (r *repoServer) generate(ctx context.Context, q *apiclient.ManifestRequest) (time.Duration, string, []string, error) {
	start := time.Now()
	resp, err := r.client.GenerateManifest(ctx, q)
	d := time.Since(start)
	if err != nil {
		return d, "", nil, err
	}
	h := sha256.New()
	for _, m := range resp.Manifests {
		fmt.Fprintf(h, "%d\n%s\n", len(m), m)
	}
	return d, hex.EncodeToString(h.Sum(nil)), resp.Manifests, nil
}

// orders are the six orders of the three sources; round i runs orders[i%6].
var orders = [][3]source{
	{directory, hookgenPlugin, catPluginSource}, {hookgenPlugin, catPluginSource, directory}, {catPluginSource, directory, hookgenPlugin},
	{directory, catPluginSource, hookgenPlugin}, {catPluginSource, hookgenPlugin, directory}, {hookgenPlugin, directory, catPluginSource},
}

func benchShape(t *testing.T, rs *repoServer, url, name string, runs int) benchdata.ShapeResult {
	t.Logf("%s: %d rounds of directory, hookgen plugin, cat plugin", name, runs)
	want := map[source]string{}
	got := map[source][]string{}
	one := func(s source) time.Duration {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		d, sum, ms, err := rs.generate(ctx, request(url, name, s, false))
		if err != nil {
			t.Fatalf("%s, %s: %v", name, s, err)
		}
		if want[s] == "" {
			want[s], got[s] = sum, ms
		} else if sum != want[s] {
			t.Fatalf("%s, %s: the manifests' sha256 is %s, the first response's %s", name, s, sum, want[s])
		}
		return d
	}
	// Warm up: the repo-server clones the repository, every side runs once.
	for _, s := range orders[0] {
		one(s)
	}
	plain := samePlainObjects(t, name, got[directory], got[hookgenPlugin])
	if len(got[catPluginSource]) <= plain {
		t.Fatalf("%s: the cat plugin returned %d objects, want more than the %d plain ones", name, len(got[catPluginSource]), plain)
	}
	res := benchdata.ShapeResult{Name: name, Objects: plain}
	for i := 0; i < runs; i++ {
		var ds [3]time.Duration
		for _, s := range orders[i%len(orders)] {
			ds[s] = one(s)
		}
		res.Directory = append(res.Directory, ds[directory])
		res.Hookgen = append(res.Hookgen, ds[hookgenPlugin])
		res.Cat = append(res.Cat, ds[catPluginSource])
	}
	t.Logf("%s: medians: directory %v, hookgen plugin %v, cat plugin %v", name, median(res.Directory), median(res.Hookgen), median(res.Cat))
	return res
}

// samePlainObjects checks that the directory source and the hookgen plugin
// return the same objects for the plain resources: the directory's
// without hookgen.yaml (Argo CD reads it as an object), hookgen's without
// its hook Jobs; in canonical JSON, as sets. It returns their number.
func samePlainObjects(t *testing.T, name string, dir, plugin []string) int {
	pick := func(ms []string, drop func(map[string]any) bool) []string {
		var out []string
		for _, m := range ms {
			var obj map[string]any
			if err := json.Unmarshal([]byte(m), &obj); err != nil {
				t.Fatalf("%s: a manifest is not JSON: %v", name, err)
			}
			if drop(obj) {
				continue
			}
			b, err := json.Marshal(obj) // map keys sorted
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
		slices.Sort(out)
		return out
	}
	d := pick(dir, func(o map[string]any) bool {
		api, _ := o["apiVersion"].(string)
		return strings.HasPrefix(api, "hookgen.dev/")
	})
	p := pick(plugin, func(o map[string]any) bool {
		meta, _ := o["metadata"].(map[string]any)
		labels, _ := meta["labels"].(map[string]any)
		_, hook := labels["hookgen.dev/hook"]
		return hook
	})
	if len(d) < 1000 {
		t.Fatalf("%s: the directory source returned %d plain objects, want at least 1,000", name, len(d))
	}
	if len(plugin) <= len(p) {
		t.Fatalf("%s: the hookgen plugin returned no hook objects", name)
	}
	if !slices.Equal(d, p) {
		for i := range min(len(d), len(p)) {
			if d[i] != p[i] {
				t.Fatalf("%s: the directory source (%d objects) and the hookgen plugin (%d) differ in the plain objects; first difference:\n%s\n%s", name, len(d), len(p), d[i], p[i])
			}
		}
		t.Fatalf("%s: the directory source returned %d plain objects, the hookgen plugin %d", name, len(d), len(p))
	}
	return len(d)
}

// monorepo writes the monorepo under dir and returns its apps' paths.
func monorepo(t *testing.T, dir string) []string {
	var apps []string
	for a := 1; a <= monoApps; a++ {
		app := fmt.Sprintf("apps/app-%03d", a)
		apps = append(apps, app)
		for n, c := range monoApp(a) {
			p := filepath.Join(dir, app, n)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return apps
}

func benchMonorepo(t *testing.T, st *stack, rounds int) *benchdata.MonoResult {
	dir := filepath.Join(t.TempDir(), "monorepo")
	apps := monorepo(t, dir)
	res := &benchdata.MonoResult{Apps: monoApps, Objects: monoObjects, Hooks: 2}
	if err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			res.RepoFiles++
			res.RepoBytes += fi.Size()
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	url := gitRepo(t, dir)
	servers := make([]*repoServer, len(monoConfigs))
	for i, c := range monoConfigs {
		socketDir := st.socketDir
		if c.noDiscover {
			socketDir = filepath.Join(st.dir, fmt.Sprintf("s%d", i))
			if err := os.MkdirAll(socketDir, 0o700); err != nil {
				t.Fatal(err)
			}
			st.hookgenSidecar(t, socketDir, withoutDiscover(t, st.plugin))
		}
		servers[i] = st.repoServer(t, fmt.Sprintf("mono%d", i), socketDir, c.args)
		servers[i].name = "monorepo, " + c.name
		res.Configs = append(res.Configs, benchdata.MonoConfig{Name: c.name, Settings: c.settings})
	}
	// One call on each server clones the repository there; it must give
	// the same manifests everywhere. The timed rounds then check every
	// answer against the first answer for the same app.
	t.Logf("monorepo: %d apps, %d files, %d bytes", len(apps), res.RepoFiles, res.RepoBytes)
	var first string
	for i, rs := range servers {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		_, sum, ms, err := rs.generate(ctx, request(url, apps[0], hookgenPlugin, monoConfigs[i].generatePaths))
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", rs.name, err)
		}
		if len(ms) != monoObjects {
			t.Fatalf("%s: %d objects, want %d", rs.name, len(ms), monoObjects)
		}
		if first == "" {
			first = sum
		} else if sum != first {
			t.Fatalf("%s: %s returned other manifests than with Argo CD's defaults", rs.name, apps[0])
		}
	}
	want := make([]string, len(apps))
	for r := 0; r < rounds; r++ {
		for k := range monoConfigs {
			c := (k + r) % len(monoConfigs)
			t.Logf("monorepo round %d: %s, %d apps at once", r+1, monoConfigs[c].name, len(apps))
			wall, calls := refreshAll(t, servers[c], url, apps, want, monoConfigs[c].generatePaths)
			res.Configs[c].Wall = append(res.Configs[c].Wall, wall)
			res.Configs[c].Calls = append(res.Configs[c].Calls, calls)
			t.Logf("monorepo round %d: %s: wall %v, per-app median %v", r+1, monoConfigs[c].name, wall, median(calls))
		}
	}
	return res
}

// refreshAll sends one GenerateManifest per app, all at once, and returns
// the wall time until the last answer and each call's duration.
func refreshAll(t *testing.T, rs *repoServer, url string, apps, want []string, generatePaths bool) (time.Duration, []time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	calls := make([]time.Duration, len(apps))
	errs := make([]error, len(apps))
	var wg sync.WaitGroup
	start := time.Now()
	for i, app := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, sum, ms, err := rs.generate(ctx, request(url, app, hookgenPlugin, generatePaths))
			calls[i] = d
			switch {
			case err != nil:
			case len(ms) != monoObjects:
				err = fmt.Errorf("%d objects, want %d", len(ms), monoObjects)
			case want[i] == "":
				want[i] = sum // the first round: each goroutine its own app
			case sum != want[i]:
				err = fmt.Errorf("other manifests than its first response")
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	var failed bytes.Buffer
	n := 0
	for i, err := range errs {
		if err != nil {
			if n < 5 {
				fmt.Fprintf(&failed, "\n%s: %v", apps[i], err)
			}
			n++
		}
	}
	if n > 0 {
		t.Fatalf("%s: %d of %d calls failed:%s", rs.name, n, len(apps), failed.String())
	}
	return wall, calls
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
