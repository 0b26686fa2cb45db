package realnode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	harness "github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/node"
	"github.com/hookgen/hookgen/test/loop"
)

var scenarios = []scenario{
	{"shop", shopScenario},
	{"image-users", imageUsersScenario},
	{"read-only-root", readOnlyScenario},
	{"command", commandScenario},
	{"private-ca", privateCAScenario},
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// prepare is loop.Prepare for a test: closed at cleanup, events logged if
// the test failed.
func prepare(t *testing.T, s *harness.Stack, app loop.App) *loop.Run {
	t.Helper()
	r, err := loop.Prepare(ctxFor(t), s, hookgenDir, app)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		if t.Failed() {
			t.Logf("events of %s:\n%s", app.Name, loop.EventList(r.Events(time.Time{})))
		}
	})
	return r
}

// syncRun runs one sync; phase "" accepts any outcome.
func syncRun(t *testing.T, r *loop.Run, phase string) *loop.SyncReport {
	t.Helper()
	rep, err := r.Sync(ctxFor(t))
	if err != nil {
		t.Fatalf("sync %d: %v", len(r.Report.Syncs), err)
	}
	if phase != "" && rep.Phase != phase {
		t.Fatalf("sync %d: phase %s (%s), want %s; resources: %+v", rep.Sync, rep.Phase, rep.Message, phase, rep.Resources)
	}
	return rep
}

// hookResource finds the syncResult entry of a hook Job by name prefix.
func hookResource(rep *loop.SyncReport, prefix string) (loop.Resource, bool) {
	for _, res := range rep.Resources {
		if res.Kind == "Job" && strings.HasPrefix(res.Name, prefix) {
			return res, true
		}
	}
	return loop.Resource{}, false
}

// An app with a Deployment and its Service, a PreSync migration, a
// PostSync http-check against the Service, and webhook and Slack hooks on
// PostSync and SyncFail pointed at the sink. Each message arrives once,
// as documented; a failing migration sends the SyncFail messages and no
// PostSync ones, and the app is not touched.
func shopScenario(t *testing.T, s *harness.Stack) {
	ctx := ctxFor(t)
	const name = "shop"
	if err := s.API.EnsureNamespace(ctx, name); err != nil {
		t.Fatal(err)
	}
	secret := fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: sink, namespace: %s}
stringData:
  webhook: %s/%s/webhook
  slack: %s/%s/slack
`, name, node.SinkURL, name, node.SinkURL, name)
	if err := s.API.ApplyAll(ctx, name, []byte(secret)); err != nil {
		t.Fatal(err)
	}
	r := prepare(t, s, loop.App{Name: name, Sources: []loop.Source{{Dir: "testdata/shop", Hookgen: true}}, Env: map[string]string{"FAIL": "0"}})

	// Success: migration, the app, then the check and both messages.
	t0 := time.Now()
	rep := syncRun(t, r, "Succeeded")
	t.Logf("sync 1: %s in %.1fs", rep.Phase, rep.Seconds)
	for _, hook := range []string{"migrate-presync", "smoke-postsync", "notify-postsync", "chat-postsync"} {
		res, ok := hookResource(rep, hook)
		if !ok || res.HookPhase != "Succeeded" {
			t.Errorf("sync 1: hook %s: %+v (found %v), want Succeeded", hook, res, ok)
		}
	}
	if rep.Health != "Healthy" {
		t.Errorf("sync 1: app health %s, want Healthy", rep.Health)
	}
	short := r.Revision[:7]
	reqs := s.Node.Sink.Since(t0)
	checkMessages(t, "sync 1", reqs, name, r.Revision, "PostSync", "succeeded", name+" sync succeeded at "+short)

	// Failure: the migration exits 1; SyncFail speaks, PostSync does not.
	if err := r.SetPlugin(ctx, map[string]string{"FAIL": "1"}, nil); err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	rep = syncRun(t, r, "Failed")
	t.Logf("sync 2: %s in %.1fs: %s", rep.Phase, rep.Seconds, rep.Message)
	if res, ok := hookResource(rep, "migrate-presync"); !ok || res.HookPhase != "Failed" {
		t.Errorf("sync 2: migrate: %+v (found %v), want Failed", res, ok)
	}
	if res, ok := hookResource(rep, "smoke-postsync"); ok {
		t.Errorf("sync 2: the PostSync check ran: %+v", res)
	}
	reqs = s.Node.Sink.Since(t1)
	checkMessages(t, "sync 2", reqs, name, r.Revision, "SyncFail", "failed", name+" sync failed at "+short)

	report := r.Finish(0)
	var codes []string
	for _, p := range report.Pods {
		if p.Hook == "migrate" {
			for _, c := range p.Containers {
				if c.ExitCode != nil {
					codes = append(codes, strconv.FormatInt(*c.ExitCode, 10)+" "+c.Reason)
				}
			}
		}
	}
	if got, want := strings.Join(codes, ", "), "0 Completed, 1 Error"; got != want {
		t.Errorf("migration pods' exit codes: %s, want %s", got, want)
	}
}

var deliveryID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// checkMessages checks that the sink got exactly one webhook and one
// Slack message of the app in reqs, both for phase and outcome.
func checkMessages(t *testing.T, what string, reqs []node.Request, app, revision, phase, outcome, text string) {
	t.Helper()
	var hooks, slacks []node.Request
	for _, q := range reqs {
		switch q.Path {
		case "/" + app + "/webhook":
			hooks = append(hooks, q)
		case "/" + app + "/slack":
			slacks = append(slacks, q)
		}
	}
	if len(hooks) != 1 || len(slacks) != 1 {
		t.Fatalf("%s: the sink got %d webhook and %d Slack requests, want one each: %+v", what, len(hooks), len(slacks), reqs)
	}
	h := hooks[0]
	if h.Method != "POST" || h.Header("Content-Type") != "application/json" || h.Header("User-Agent") != "hookgen-runner" || !deliveryID.MatchString(h.Header("X-Hookgen-Delivery")) {
		t.Errorf("%s: webhook request %s %s, headers %v", what, h.Method, h.Path, h.Headers)
	}
	var body struct {
		Text string `json:"text"`
		App  struct {
			Name, Namespace, Revision, RevisionShort string
		} `json:"app"`
		Hook struct{ Name, Phase, Outcome string } `json:"hook"`
		Time string                                `json:"time"`
	}
	if err := json.Unmarshal([]byte(h.Body), &body); err != nil {
		t.Fatalf("%s: webhook body is not JSON: %v: %s", what, err, h.Body)
	}
	if body.Text != text || body.App.Name != app || body.App.Namespace != app || body.App.Revision != revision ||
		body.Hook.Name != "notify" || body.Hook.Phase != phase || body.Hook.Outcome != outcome || body.Time == "" {
		t.Errorf("%s: webhook body %s, want text %q, app %s, revision %s, hook notify %s %s", what, h.Body, text, app, revision, phase, outcome)
	}
	sl := slacks[0]
	var sb struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if sl.Method != "POST" || sl.Header("Content-Type") != "application/json" {
		t.Errorf("%s: Slack request %s, headers %v", what, sl.Method, sl.Headers)
	}
	if err := json.Unmarshal([]byte(sl.Body), &sb); err != nil {
		t.Fatalf("%s: Slack body is not JSON: %v: %s", what, err, sl.Body)
	}
	if sb.Text != text || len(sb.Blocks) == 0 || !strings.Contains(sl.Body, phase) {
		t.Errorf("%s: Slack body %s, want text %q and blocks naming %s", what, sl.Body, text, phase)
	}
}

// A hook on an image whose USER is root, and one on an image whose USER
// is a name, with hookgen's default hardening: runAsNonRoot with a
// numeric non-root user and group (65532), which the kubelet accepts for
// any image. Both must start and succeed quickly; without the numeric
// user the kubelet refuses both containers ("image will run as root",
// "non-numeric user") and each hook waits for its deadline (40 s here).
func imageUsersScenario(t *testing.T, s *harness.Stack) {
	r := prepare(t, s, loop.App{Name: "images", Sources: []loop.Source{{Dir: "testdata/images", Hookgen: true}}})
	numeric, err := renderedRunAsUser(r)
	if err != nil {
		t.Fatal(err)
	}
	if !numeric {
		t.Fatal("hookgen's Jobs set no numeric runAsUser: images whose USER is root or a name cannot start under runAsNonRoot")
	}
	rep := syncRun(t, r, "")
	report := r.Finish(0)
	t.Logf("sync: %s in %.1fs: %s", rep.Phase, rep.Seconds, rep.Message)
	for _, p := range report.Pods {
		t.Logf("pod %s (hook %s): %s %+v", p.Name, p.Hook, p.Phase, p.Containers)
	}
	if rep.Phase != "Succeeded" || rep.Seconds > 30 {
		t.Errorf("sync %s after %.1fs, want Succeeded well before the 40 s deadline; pods: %+v", rep.Phase, rep.Seconds, report.Pods)
	}
}

// renderedRunAsUser reports whether hookgen's Jobs for the app set a
// numeric runAsUser (pod or container level).
func renderedRunAsUser(r *loop.Run) (bool, error) {
	out, err := r.Render(context.Background())
	if err != nil {
		return false, err
	}
	return regexp.MustCompile(`(?m)^\s*runAsUser: [0-9]+`).Match(out), nil
}

// A hook that writes outside /tmp fails fast on the read-only root
// filesystem (it does not wait for its deadline), and the app is not
// applied.
func readOnlyScenario(t *testing.T, s *harness.Stack) {
	r := prepare(t, s, loop.App{Name: "readonly", Sources: []loop.Source{{Dir: "testdata/readonly", Hookgen: true}}})
	rep := syncRun(t, r, "Failed")
	report := r.Finish(0)
	if rep.Seconds > 45 {
		t.Errorf("the failing hook took %.1fs, want a fast failure", rep.Seconds)
	}
	var got []string
	for _, p := range report.Pods {
		for _, c := range p.Containers {
			if c.ExitCode != nil {
				got = append(got, fmt.Sprintf("%d %s", *c.ExitCode, c.Reason))
			}
		}
	}
	if len(got) == 0 || got[0] == "0 Completed" {
		t.Errorf("scratch pods: %v, want a failed container", got)
	}
	if _, found, err := s.API.GetObject(ctxFor(t), "v1", "ConfigMap", "readonly", "readonly-applied"); err != nil || found {
		t.Errorf("the app was applied after its PreSync hook failed (found %v, %v)", found, err)
	}
}

// cmd/hookgen-loop --node real on the stack: the JSON report carries the
// sink's requests and the hook pods' container states.
func commandScenario(t *testing.T, s *harness.Stack) {
	ctx := ctxFor(t)
	const name = "cmd-shop"
	if err := s.API.EnsureNamespace(ctx, name); err != nil {
		t.Fatal(err)
	}
	secret := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: sink, namespace: %s}\nstringData: {webhook: %s/%s/webhook, slack: %s/%s/slack}\n",
		name, node.SinkURL, name, node.SinkURL, name)
	if err := s.API.ApplyAll(ctx, name, []byte(secret)); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cenv := loop.CommandEnv{HookgenDir: hookgenDir, Stack: func(context.Context, cmpserver.Argo, string) (*harness.Stack, error) { return s, nil }}
	code := loop.Command(ctx, []string{"--app", "testdata/shop", "--name", name, "--node", "real", "--env", "FAIL=0"}, &stdout, &stderr, cenv)
	t.Logf("stderr:\n%s", stderr.String())
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var rep loop.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not a report: %v\n%s", err, stdout.String())
	}
	if rep.Node != "real" || len(rep.Syncs) != 1 || rep.Syncs[0].Phase != "Succeeded" {
		t.Fatalf("report: node %q, syncs %+v", rep.Node, rep.Syncs)
	}
	got := map[string]int{}
	for _, q := range rep.Sink {
		if q.Method == "" || q.Time.IsZero() || q.Headers["User-Agent"] == nil {
			t.Errorf("sink request %+v", q)
		}
		got[q.Path]++
	}
	if got["/"+name+"/webhook"] != 1 || got["/"+name+"/slack"] != 1 {
		t.Errorf("sink requests by path: %v, want one webhook and one Slack request of %s", got, name)
	}
	hooks := map[string]string{}
	for _, p := range rep.Pods {
		for _, c := range p.Containers {
			if c.ExitCode != nil {
				hooks[p.Hook] = fmt.Sprintf("%d %s", *c.ExitCode, c.Reason)
			}
		}
	}
	for _, h := range []string{"migrate", "smoke", "notify", "chat"} {
		if hooks[h] != "0 Completed" {
			t.Errorf("hook %s: container %q, want 0 Completed (pods %+v)", h, hooks[h], rep.Pods)
		}
	}
}

// A webhook and an http-check to the HTTPS sink, whose certificate a
// private CA signed: with the CA's certificate from a ConfigMap (the
// webhook) or a Secret (the check) as caBundle, both are delivered; the
// same webhook without it fails at once, its log saying what is wrong and
// how to fix it, and nothing reaches the sink.
func privateCAScenario(t *testing.T, s *harness.Stack) {
	ctx := ctxFor(t)
	ca := string(s.Node.Sink.CA())
	setup := func(t *testing.T, name string) {
		if err := s.API.EnsureNamespace(ctx, name); err != nil {
			t.Fatal(err)
		}
		var stream []byte
		for _, o := range []map[string]any{
			{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "sink-tls"},
				"stringData": map[string]string{"webhook": node.SinkTLSURL + "/" + name + "/webhook"}},
			{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "sink-ca"}, "data": map[string]string{"ca.crt": ca}},
			{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "sink-ca"}, "stringData": map[string]string{"bundle.pem": ca}},
		} {
			b, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			stream = append(append(stream, b...), '\n') // a JSON stream
		}
		if err := s.API.ApplyAll(ctx, name, stream); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("with the CA", func(t *testing.T) {
		t.Parallel()
		const name = "private-ca"
		setup(t, name)
		r := prepare(t, s, loop.App{Name: name, Sources: []loop.Source{{Dir: "testdata/private-ca", Hookgen: true}}})
		rep := syncRun(t, r, "Succeeded")
		t.Logf("sync: %s in %.1fs", rep.Phase, rep.Seconds)
		got := map[string]int{}
		for _, q := range s.Node.Sink.WithPath("/" + name + "/") {
			got[q.Method+" "+q.Path]++
		}
		if want := map[string]int{"POST /private-ca/webhook": 1, "GET /private-ca/check": 1}; !maps.Equal(got, want) {
			t.Errorf("the sink got %v, want %v", got, want)
		}
		if _, found, err := s.API.GetObject(ctx, "v1", "ConfigMap", name, "private-ca-applied"); err != nil || !found {
			t.Errorf("the app was not applied (found %v, %v)", found, err)
		}
	})

	t.Run("without the CA", func(t *testing.T) {
		t.Parallel()
		const name = "no-ca"
		setup(t, name)
		r := prepare(t, s, loop.App{Name: name, Sources: []loop.Source{{Dir: "testdata/no-ca", Hookgen: true}}})
		rep := syncRun(t, r, "Failed")
		t.Logf("sync: %s in %.1fs: %s", rep.Phase, rep.Seconds, rep.Message)
		if rep.Seconds > 45 {
			t.Errorf("the failing hook took %.1fs, want a fast failure", rep.Seconds)
		}
		report := r.Finish(0)
		var logs []string
		for _, p := range report.Pods {
			if p.Hook != "notify" {
				continue
			}
			resp, err := s.API.Get(ctx, "/api/v1/namespaces/"+p.Namespace+"/pods/"+p.Name+"/log")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("log of pod %s: %v %v", p.Name, resp, err)
			}
			logs = append(logs, string(resp.Body))
		}
		const want = "x509: certificate signed by unknown authority; if a private CA signed it, trust that CA with --ca-file (the caBundle parameter of the runner templates); not retryable"
		if len(logs) == 0 || !strings.Contains(logs[0], want) {
			t.Errorf("the webhook pods' logs %q do not say %q", logs, want)
		}
		if reqs := s.Node.Sink.WithPath("/" + name + "/"); len(reqs) != 0 {
			t.Errorf("the sink got %d requests without the CA: %+v", len(reqs), reqs)
		}
		if _, found, err := s.API.GetObject(ctx, "v1", "ConfigMap", name, "no-ca-applied"); err != nil || found {
			t.Errorf("the app was applied after its PreSync hook failed (found %v, %v)", found, err)
		}
	})
}

func rss(s *harness.Stack) string {
	var total, peak int64
	for _, p := range s.Procs() {
		cur, hwm := procMem(p.Pid())
		total += cur
		peak += hwm
	}
	pods := readInt("/sys/fs/cgroup/memory/kubepods/memory.max_usage_in_bytes") / 1024
	return fmt.Sprintf("daemons %d MB now, sum of their peaks %d MB; pods' peak %d MB", total>>10, peak>>10, pods>>10)
}

// procMem returns VmRSS and VmHWM of a process in kB.
func procMem(pid int) (cur, hwm int64) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			cur = v
		case "VmHWM:":
			hwm = v
		}
	}
	return cur, hwm
}

func readInt(file string) int64 {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return v
}
