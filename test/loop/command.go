package loop

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	harness "github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// CommandUsage is the help of cmd/hookgen-loop.
const CommandUsage = `Usage: hookgen-loop --app DIR [flags]

Run the application in DIR through Argo CD's whole sync loop on this
machine: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
kwok (pods run instantly and succeed), redis, argocd-repo-server with
hookgen as its cmp-server sidecar (the repository's plugin.yaml and a
freshly built hookgen), and argocd-application-controller, in a private
network namespace. DIR is copied into a file:// git repository, an
Application names the plugin hookgen-v1, and it is synced N times with
the hook strategy (then deleted, with --delete).

Prints JSON on stdout: for each sync the operation phase and message,
status.operationState.syncResult.resources, and the ordered events a
watch saw (Jobs, and the kinds and namespaces of the app's objects);
with --delete, the deletion and its events. Progress goes to stderr.
The exit code is 0 when the loop ran (whatever the syncs' outcome), 1 on
an error of the loop itself, 2 on a wrong command line.

Run it from the test/ directory of the repository, after building the
test binaries once from the repository root:
  eval "$(test/tools/build.sh)"
  cd test && go run ./cmd/hookgen-loop --app ../examples/shop --fail migrate

With --node real, a real node runs the pods instead of kwok: containerd,
runc, the kubelet and kube-proxy (it needs root). The images
registry.test/busybox-root:1, registry.test/named-user:1,
registry.test/http-app:1 and registry.test/hookgen:dev (the runner image,
holding the freshly built hookgen) are there, and a recording HTTP sink
answers at http://sink.hookgen-test.svc:8080 (any path). The JSON then
adds "sink", the requests it received (time, method, path, headers,
body), and "pods", each hook pod with its containers' exit codes and the
kubelet's last waiting or terminated reason.

DIR is copied alone: hookgen.yaml files in its parents and the
repository's .hookgen/templates are not. Namespaces the app's objects
name (the destination, a PostDelete hook's namespace) are created first.

Flags:
`

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// CommandEnv lets a test run the command on a stack it already has.
type CommandEnv struct {
	// HookgenDir holds a built hookgen; empty: build one.
	HookgenDir string
	// Stack returns a running stack of the given version; nil: start one
	// (and stop it at the end).
	Stack func(ctx context.Context, argo cmpserver.Argo, hookgenDir string) (*harness.Stack, error)
}

// Command is cmd/hookgen-loop: it parses args, runs the loop and writes the
// Report as JSON to stdout. It returns the exit code.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer, env CommandEnv) int {
	fs := flag.NewFlagSet("hookgen-loop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, CommandUsage)
		fs.PrintDefaults()
	}
	var (
		dir, argoName, name, namespace, nodeKind string
		fails, envs, params                      multiFlag
		syncs                                    int
		del, pods                                bool
		timeout                                  time.Duration
	)
	fs.StringVar(&dir, "app", "", "application directory (required); it must hold a hookgen.yaml")
	fs.Var(&fails, "fail", "make this hook's pods fail (a hook name, a Job name, or a generateName prefix), repeatable")
	fs.StringVar(&argoName, "argocd", "v3", "Argo CD version: v2 ("+ArgoVersions[cmpserver.ArgoV2]+") or v3 ("+ArgoVersions[cmpserver.ArgoV3]+")")
	fs.IntVar(&syncs, "syncs", 1, "number of syncs")
	fs.BoolVar(&del, "delete", false, "delete the Application after the syncs (runs its PreDelete hooks on v3, then its PostDelete hooks)")
	fs.StringVar(&name, "name", "", "Application name (default: DIR's name)")
	fs.StringVar(&namespace, "namespace", "", "destination namespace (default: the Application name)")
	fs.Var(&envs, "env", "the Application's plugin env `KEY=VALUE` (ARGOCD_ENV_KEY, $(env.KEY)), repeatable")
	fs.Var(&params, "param", "Application parameter `name=value`, repeatable: disable=a,b, enable=x, hook.<hook>.<param>=value")
	fs.BoolVar(&pods, "pods", false, "record Pods too")
	fs.StringVar(&nodeKind, "node", "kwok", "the node that runs the pods: kwok (simulated, instant) or real (kubelet, containerd, runc; needs root)")
	fs.DurationVar(&timeout, "timeout", 3*time.Minute, "limit for each sync and for the deletion")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "hookgen-loop: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return usage("unexpected arguments %q (the app directory is --app DIR)", fs.Args())
	}
	if dir == "" {
		return usage("--app DIR is required")
	}
	if _, err := os.Stat(filepath.Join(dir, "hookgen.yaml")); err != nil {
		return usage("%s holds no hookgen.yaml (the plugin's discovery rule needs one)", dir)
	}
	argo, err := ParseArgo(argoName)
	if err != nil {
		return usage("--argocd: %v", err)
	}
	if nodeKind != "kwok" && nodeKind != "real" {
		return usage("--node must be kwok or real, not %q", nodeKind)
	}
	if nodeKind == "real" && len(fails) > 0 {
		return usage("--fail needs --node kwok (on a real node, make the hook fail for real, e.g. through --env)")
	}
	if syncs < 0 || (syncs == 0 && !del) {
		return usage("--syncs must be at least 1 (or 0 with --delete)")
	}
	if name == "" {
		name = appName(dir)
	}
	app := App{Name: name, Namespace: namespace, Sources: []Source{{Dir: dir, Hookgen: true}}, Fail: fails, Pods: pods, Timeout: timeout}
	if app.Env, err = parseEnv(envs); err != nil {
		return usage("%v", err)
	}
	if app.Params, err = parseParams(params); err != nil {
		return usage("%v", err)
	}

	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "hookgen-loop: "+format+"\n", a...)
	}
	fail := func(err error) int {
		logf("%v", err)
		return 1
	}
	hookgenDir := env.HookgenDir
	if hookgenDir == "" {
		tmp, err := os.MkdirTemp("", "hookgen-loop-bin")
		if err != nil {
			return fail(err)
		}
		defer os.RemoveAll(tmp)
		logf("building hookgen")
		if err := tools.BuildHookgenTo(tmp); err != nil {
			return fail(err)
		}
		hookgenDir = tmp
	}
	start := time.Now()
	var s *harness.Stack
	if env.Stack != nil {
		s, err = env.Stack(ctx, argo, hookgenDir)
	} else {
		if nodeKind == "real" {
			logf("starting etcd, kube-apiserver, controllers, a real node (containerd, kubelet, kube-proxy), redis and Argo CD %s", ArgoVersions[argo])
			s, err = StartRealStack(ctx, argo, hookgenDir)
		} else {
			if in, why := harness.Netns(); !in {
				logf("not in a private network namespace (%s)", why)
			}
			logf("starting etcd, kube-apiserver, controllers, kwok, redis and Argo CD %s", ArgoVersions[argo])
			s, err = StartStack(ctx, argo, hookgenDir)
		}
		if err == nil {
			defer s.Stop()
		}
	}
	if err != nil {
		return fail(err)
	}
	logf("stack up in %.1fs", time.Since(start).Seconds())

	r, err := Prepare(ctx, s, hookgenDir, app)
	if errors.Is(err, ErrNoSuchHook) {
		return usage("--fail: %v", err)
	}
	if err != nil {
		return fail(err)
	}
	defer r.Close()
	for _, p := range r.Problems {
		logf("hookgen validate: %s", p)
	}
	if len(r.Report.Failing) > 0 {
		logf("failing %s", strings.Join(r.Report.Failing, ", "))
	}
	var loopErr error
	for i := range syncs {
		rep, err := r.Sync(ctx)
		if err != nil {
			loopErr = fmt.Errorf("sync %d: %w", i+1, err)
			break
		}
		logf("sync %d: %s in %.1fs: %s", i+1, rep.Phase, rep.Seconds, rep.Message)
	}
	if del && loopErr == nil {
		rep, err := r.Delete(ctx)
		if err != nil {
			loopErr = fmt.Errorf("delete: %w", err)
		} else {
			logf("application deleted in %.1fs", rep.Seconds)
		}
	}
	report := r.Finish(time.Second)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(report); err != nil {
		return fail(err)
	}
	if loopErr != nil {
		return fail(loopErr)
	}
	return 0
}

// WantsRealNode reports whether the command line asks for --node real, so
// that main can run the command in the node's namespaces.
func WantsRealNode(args []string) bool {
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case a == "--node=real" || a == "-node=real":
			return true
		case (a == "--node" || a == "-node") && i+1 < len(args) && args[i+1] == "real":
			return true
		}
	}
	return false
}

var notLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// appName turns a directory's name into an Application name.
func appName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	n := strings.Trim(notLabel.ReplaceAllString(strings.ToLower(filepath.Base(abs)), "-"), "-")
	if len(n) > 53 {
		n = strings.TrimRight(n[:53], "-")
	}
	if n == "" {
		n = "app"
	}
	return n
}

func parseEnv(kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
		out[k] = v
	}
	return out, nil
}

// parseParams maps name=value flags onto Argo CD parameters the way
// hookgen's own --param does: disable and enable are arrays (a
// comma-separated list, or repeated), hook.<hook>.<param> is an entry of
// the map parameter hook.<hook>, anything else a string.
func parseParams(kvs []string) ([]v1alpha1.ApplicationSourcePluginParameter, error) {
	var out []v1alpha1.ApplicationSourcePluginParameter
	find := func(name string) *v1alpha1.ApplicationSourcePluginParameter {
		for i := range out {
			if out[i].Name == name {
				return &out[i]
			}
		}
		out = append(out, v1alpha1.ApplicationSourcePluginParameter{Name: name})
		return &out[len(out)-1]
	}
	for _, kv := range kvs {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--param %q: want name=value", kv)
		}
		switch {
		case name == "disable" || name == "enable":
			p := find(name)
			if p.OptionalArray == nil {
				p.OptionalArray = &v1alpha1.OptionalArray{Array: []string{}}
			}
			for _, v := range strings.Split(value, ",") {
				if v = strings.TrimSpace(v); v != "" {
					p.Array = append(p.Array, v)
				}
			}
		case strings.HasPrefix(name, "hook."):
			hook, param, ok := strings.Cut(strings.TrimPrefix(name, "hook."), ".")
			if !ok || hook == "" || param == "" {
				return nil, fmt.Errorf("--param %q: a hook's parameter is hook.<hook>.<param>=value", kv)
			}
			p := find("hook." + hook)
			if p.OptionalMap == nil {
				p.OptionalMap = &v1alpha1.OptionalMap{Map: map[string]string{}}
			}
			p.Map[param] = value
		default:
			p := find(name)
			p.String_ = &value
		}
	}
	return out, nil
}
