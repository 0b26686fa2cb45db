package transform_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hookgen/hookgen/runner"
	"github.com/hookgen/hookgen/transform"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// runnerSamples sets every parameter of each built-in template that runs
// the runner, with values the runner accepts. A new parameter must be
// added here, or TestRunnerTemplates fails.
var runnerSamples = map[string]string{
	"slack": `
webhook: {secret: slack-webhook, key: url}
text: "*$(app.name)* {{ .Hook.Outcome }} <{{ .ArgoCD.AppURL }}|open>"
channel: "#deploys"
username: Argo CD
iconEmoji: ":rocket:"
iconURL: https://cd.example.com/logo.png
caBundle: {secret: slack-ca, key: ca.pem}
strict: true
`,
	"webhook": `
url: {secret: deploy-webhook, key: url}
text: "$(app.name) {{ .Hook.Outcome }}"
body: '{"app": {{ json .App.Name }}, "text": {{ json .Text }}}'
headers: {X-Team: payments, Accept: application/json}
hmacSecret: {secret: deploy-webhook, key: hmac}
signatureHeader: X-Signature-256
method: PUT
expectStatus: 200-299
caBundle: {configMap: corp-ca, key: ca.crt}
strict: true
`,
	"email": `
smtpHost: smtp.example.com
smtpPort: 465
tls: tls
auth: login
username: argocd@example.com
password: {secret: smtp-password, key: password}
from: Argo CD <argocd@example.com>
to: [team@example.com, oncall@example.com]
cc: [audit@example.com]
subject: "$(app.name) {{ .Hook.Outcome }}"
body: "{{ .Text }} ({{ .App.Revision }})"
caBundle: {secret: smtp-ca, key: ca.crt}
strict: true
`,
	"http-check": `
url: http://shop.$(app.namespace).svc:8080/healthz
method: GET
expectStatus: 2xx
expectBody: ok
expectBodyRegexp: '"status":\s*"up"'
headers: {Accept: application/json}
followRedirects: true
attempts: 3
timeout: 2s
deadline: 30s
caBundle: {configMap: corp-ca, key: ca-bundle.crt}
strict: false
`,
}

// runnerContainer is what the test reads of a generated container.
type runnerContainer struct {
	Name    string     `yaml:"name"`
	Image   string     `yaml:"image"`
	Command []string   `yaml:"command"`
	Args    []string   `yaml:"args"`
	Env     []envEntry `yaml:"env"`
	// VolumeMounts are the container's; Volumes the pod's.
	VolumeMounts []volumeMount `yaml:"volumeMounts"`
	Volumes      []podVolume   `yaml:"-"`
}

type volumeMount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
	SubPath   string `yaml:"subPath"`
	ReadOnly  bool   `yaml:"readOnly"`
}

// podVolume is a pod volume as far as the test reads it: a ConfigMap's or
// a Secret's keys.
type podVolume struct {
	Name      string `yaml:"name"`
	ConfigMap *struct {
		Name  string    `yaml:"name"`
		Items []keyPath `yaml:"items"`
	} `yaml:"configMap"`
	Secret *struct {
		SecretName string    `yaml:"secretName"`
		Items      []keyPath `yaml:"items"`
	} `yaml:"secret"`
}

type keyPath struct {
	Key  string `yaml:"key"`
	Path string `yaml:"path"`
}

// items are the keys a ConfigMap or Secret volume holds; ok is false for
// another kind of volume.
func (v podVolume) items() (items []keyPath, ok bool) {
	switch {
	case v.ConfigMap != nil:
		return v.ConfigMap.Items, true
	case v.Secret != nil:
		return v.Secret.Items, true
	}
	return nil, false
}

type envEntry struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef *secretRef `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
}

type secretRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

// fromSecret is an env entry filled from a Secret.
func fromSecret(name, secret, key string) envEntry {
	e := envEntry{Name: name}
	e.ValueFrom = &struct {
		SecretKeyRef *secretRef `yaml:"secretKeyRef"`
	}{SecretKeyRef: &secretRef{Name: secret, Key: key}}
	return e
}

// action is the runner action a container runs, or "".
func (c runnerContainer) action() string {
	if len(c.Command) == 3 && c.Command[0] == "hookgen" && c.Command[1] == "run" {
		return c.Command[2]
	}
	return ""
}

// environ is the container's environment as the runner would see it, with
// a stand-in value for each variable that comes from a Secret (skip names
// one to leave out), and the names of those variables.
func (c runnerContainer) environ(skip string) (environ, secrets []string) {
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			secrets = append(secrets, e.Name)
			if e.Name != skip {
				ref := e.ValueFrom.SecretKeyRef
				environ = append(environ, e.Name+"=https://secret.example.com/"+ref.Name+"/"+ref.Key)
			}
		case e.ValueFrom == nil:
			environ = append(environ, e.Name+"="+e.Value)
		}
	}
	return environ, secrets
}

var kubeRef = regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// expand does what the kubelet does to command and args: $(VAR) becomes
// the container's variable, $$ a $.
func expand(s string, environ []string) string {
	vars := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return kubeRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		if v, ok := vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// runRunner runs the runner in-process with a context that is already
// cancelled: it parses the flags and prepares the action (reads secrets,
// renders templates), and its one attempt fails at once, without a
// connection.
func runRunner(args, environ []string) (code int, stdout, stderr string) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code = runner.Main(ctx, args, environ, &out, &errOut)
	return code, out.String(), errOut.String()
}

// checkRunnerContainer checks a generated runner container against the
// runner itself and returns what is wrong:
//   - every flag exists for the action (the runner parses them, then
//     stops at --help);
//   - the configuration is accepted (no usage error, exit 2) with a
//     stand-in value for each secret;
//   - each variable taken from a Secret is read by the runner: leaving it
//     out changes the outcome or the target the runner logs.
func checkRunnerContainer(c runnerContainer) []string {
	var problems []string
	action := c.action()
	environ, secrets := c.environ("")
	root, files, mountProblems := c.mountFiles()
	problems = append(problems, mountProblems...)
	defer os.RemoveAll(root)
	args := make([]string, 0, len(c.Args)+2)
	args = append(args, action)
	for _, a := range c.Args {
		a = expand(a, environ)
		for _, m := range files {
			a = strings.ReplaceAll(a, m, filepath.Join(root, m))
		}
		args = append(args, a)
	}

	code, stdout, stderr := runRunner(append(slices.Clone(args), "--help"), nil)
	if code != runner.ExitOK || !strings.HasPrefix(stdout, "Usage: hookgen run "+action) {
		return append(problems, fmt.Sprintf("the runner does not take these flags (exit %d): %s", code, strings.TrimSpace(stderr)))
	}

	code, _, stderr = runRunner(args, environ)
	if code == runner.ExitUsage {
		return append(problems, fmt.Sprintf("the runner refuses the configuration: %s", strings.TrimSpace(stderr)))
	}
	first := func(s string) string { line, _, _ := strings.Cut(s, "\n"); return line }
	for _, name := range secrets {
		without, _ := c.environ(name)
		c2, _, stderr2 := runRunner(args, without)
		if c2 == code && first(stderr2) == first(stderr) {
			problems = append(problems, fmt.Sprintf("env %s comes from a Secret, but the runner does not read it (nothing changes without it)", name))
		}
	}
	return problems
}

// mountFiles checks the container's mounts of ConfigMap and Secret
// volumes (the others are hookgen's writable emptyDirs): each is
// read-only, of a volume of the pod, and a subPath mount names one of the
// volume's items. It writes a CA certificate where each such mount puts
// its files, under a new directory root (at the mount path for a subPath
// mount), as the kubelet would, and returns the mount paths.
func (c runnerContainer) mountFiles() (root string, mountPaths, problems []string) {
	root, err := os.MkdirTemp("", "mounts")
	if err != nil {
		return "", nil, []string{err.Error()}
	}
	for _, m := range c.VolumeMounts {
		i := slices.IndexFunc(c.Volumes, func(v podVolume) bool { return v.Name == m.Name })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("volume mount %s: the pod has no volume %s", m.Name, m.Name))
			continue
		}
		items, ok := c.Volumes[i].items()
		if !ok {
			continue
		}
		if !m.ReadOnly {
			problems = append(problems, fmt.Sprintf("volume mount %s at %s is not read-only", m.Name, m.MountPath))
		}
		mountPaths = append(mountPaths, m.MountPath)
		var files []string
		for _, it := range items {
			if m.SubPath == "" {
				files = append(files, filepath.Join(root, m.MountPath, it.Path))
			} else if it.Path == m.SubPath {
				files = append(files, filepath.Join(root, m.MountPath))
			}
		}
		if len(files) == 0 {
			problems = append(problems, fmt.Sprintf("volume mount %s: volume %s holds no item %q", m.Name, m.Name, m.SubPath))
		}
		for _, f := range files {
			if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
				problems = append(problems, err.Error())
			} else if err := os.WriteFile(f, testCA, 0o644); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	return root, mountPaths, problems
}

// testCA is a self-signed CA certificate in PEM.
var testCA = func() []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}()

// renderTemplates generates one hook per built-in template, in every
// phase it allows, with the given parameters.
func renderTemplates(t *testing.T, with map[string]string) []*transform.Job {
	t.Helper()
	ts, err := transform.BuiltinTemplates()
	if err != nil {
		t.Fatal(err)
	}
	var spec strings.Builder
	spec.WriteString("apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks:\n")
	for _, name := range ts.Names() {
		w, ok := with[name]
		if !ok {
			continue
		}
		phases := ts[name].Spec.Phases
		if len(phases) == 0 {
			phases = []string{"PreSync", "Sync", "PostSync", "SyncFail", "PreDelete", "PostDelete"}
		}
		fmt.Fprintf(&spec, "  - name: %s\n    uses: %s\n    phase: [%s]\n    with:\n", name, name, strings.Join(phases, ", "))
		for _, line := range strings.Split(strings.TrimSpace(w), "\n") {
			fmt.Fprintf(&spec, "      %s\n", line)
		}
	}
	res, err := transform.Run(transform.Input{
		Repo:   fstest.MapFS{"app/hookgen.yaml": {Data: []byte(spec.String())}},
		AppDir: "app",
		Context: transform.Context{
			App: transform.App{Name: "shop", Namespace: "prod", Project: "default", Revision: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
				RevisionShort: "a1b2c3d", RepoURL: "https://git.example.com/acme/shop.git", Path: "app", TargetRevision: "main"},
			RunnerImage: "ghcr.io/hookgen/hookgen:test",
			ArgoCDURL:   "https://cd.example.com",
		},
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, spec.String())
	}
	return res.Jobs
}

func containers(t *testing.T, j *transform.Job) []runnerContainer {
	t.Helper()
	var job struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []runnerContainer `yaml:"containers"`
					Volumes    []podVolume       `yaml:"volumes"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := j.Node.Decode(&job); err != nil {
		t.Fatalf("%s: %v", j.Name, err)
	}
	pod := job.Spec.Template.Spec
	for i := range pod.Containers {
		pod.Containers[i].Volumes = pod.Volumes
	}
	return pod.Containers
}

// TestRunnerTemplates renders every built-in template that runs the
// runner, with every parameter set, in every phase it allows, and runs
// each container's command line and environment through the runner's own
// flag parsing and preparation.
func TestRunnerTemplates(t *testing.T) {
	ts, err := transform.BuiltinTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for name, sample := range runnerSamples {
		tmpl := ts[name]
		if tmpl == nil {
			t.Errorf("runnerSamples has %q, which is no built-in template", name)
			continue
		}
		var with map[string]yaml.Node
		if err := yaml.Unmarshal([]byte(sample), &with); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, p := range tmpl.Spec.Params {
			if _, ok := with[p.Name]; !ok {
				t.Errorf("runnerSamples[%q] does not set parameter %q: set every parameter", name, p.Name)
			}
		}
	}
	// Every other template renders with its required parameters only, to
	// find those that run the runner without a sample.
	minimal := map[string]string{}
	for _, name := range ts.Names() {
		if _, ok := runnerSamples[name]; ok {
			minimal[name] = runnerSamples[name]
			continue
		}
		var w strings.Builder
		for _, p := range ts[name].Spec.Params {
			if !p.Required {
				continue
			}
			switch p.Type {
			case transform.ParamSecretKeyRef:
				fmt.Fprintf(&w, "%s: {secret: s, key: k}\n", p.Name)
			case transform.ParamList:
				fmt.Fprintf(&w, "%s: [x]\n", p.Name)
			case transform.ParamMap:
				fmt.Fprintf(&w, "%s: {x: y}\n", p.Name)
			case transform.ParamInt:
				fmt.Fprintf(&w, "%s: 1\n", p.Name)
			case transform.ParamBool:
				fmt.Fprintf(&w, "%s: true\n", p.Name)
			default:
				fmt.Fprintf(&w, "%s: \"x:1\"\n", p.Name) // a pinned image, if it is one
			}
		}
		minimal[name] = w.String()
		if minimal[name] == "" {
			minimal[name] = "{}"
		}
	}

	checked := map[string]int{}
	for _, j := range renderTemplates(t, minimal) {
		for _, c := range containers(t, j) {
			action := c.action()
			if action == "" {
				continue
			}
			if _, ok := runnerSamples[j.Template]; !ok {
				t.Errorf("template %q runs the runner (%s) but runnerSamples has no entry for it", j.Template, action)
				continue
			}
			if c.Image != "ghcr.io/hookgen/hookgen:test" {
				t.Errorf("%s: container %s runs the runner in image %q, not $(runner.image)", j.Name, c.Name, c.Image)
			}
			for _, p := range checkRunnerContainer(c) {
				t.Errorf("%s (template %s), container %s: %s", j.Name, j.Template, c.Name, p)
			}
			checked[j.Template]++
		}
	}
	for name := range runnerSamples {
		if checked[name] == 0 {
			t.Errorf("template %q has a sample but no runner container was checked", name)
		}
	}
	t.Logf("checked runner containers per template: %v", checked)
}

// TestRunnerTemplatesCatchMistakes shows that the check fails a template
// that passes a flag the runner does not know, a value it refuses, or a
// secret it does not read.
func TestRunnerTemplatesCatchMistakes(t *testing.T) {
	good := runnerContainer{
		Command: []string{"hookgen", "run", "slack"},
		Args:    []string{"--channel=#deploys", "--strict=false"},
		Env:     []envEntry{fromSecret("SLACK_WEBHOOK_URL", "slack", "url"), {Name: "HOOKGEN_APP_NAME", Value: "shop"}},
	}
	if p := checkRunnerContainer(good); len(p) != 0 {
		t.Fatalf("a correct container was refused: %v", p)
	}

	unknownFlag := good
	unknownFlag.Args = []string{"--colour=red"}
	if p := checkRunnerContainer(unknownFlag); len(p) == 0 || !strings.Contains(p[0], "unknown flag: --colour") {
		t.Errorf("an unknown flag was not reported: %v", p)
	}

	badValue := good
	badValue.Args = []string{"--attempts=0"}
	if p := checkRunnerContainer(badValue); len(p) == 0 || !strings.Contains(p[0], "refuses the configuration") {
		t.Errorf("a refused value was not reported: %v", p)
	}

	misnamed := good
	misnamed.Env = []envEntry{fromSecret("SLACK_WEBHOOK", "slack", "url")}
	if p := checkRunnerContainer(misnamed); len(p) == 0 || !strings.Contains(p[0], "no Slack webhook URL") {
		t.Errorf("a misnamed secret was not reported: %v", p)
	}

	unread := good
	unread.Env = append(slices.Clone(good.Env), fromSecret("SLACK_TOKEN", "slack", "token"))
	if p := checkRunnerContainer(unread); len(p) == 0 || !strings.Contains(p[0], "env SLACK_TOKEN comes from a Secret, but the runner does not read it") {
		t.Errorf("a secret the runner does not read was not reported: %v", p)
	}

	ca := podVolume{Name: "ca"}
	ca.ConfigMap = &struct {
		Name  string    `yaml:"name"`
		Items []keyPath `yaml:"items"`
	}{Name: "corp-ca", Items: []keyPath{{Key: "ca.crt", Path: "ca.crt"}}}
	mounted := good
	mounted.Args = []string{"--ca-file=/etc/ca/ca.crt"}
	mounted.VolumeMounts = []volumeMount{{Name: "ca", MountPath: "/etc/ca/ca.crt", SubPath: "ca.crt", ReadOnly: true}}
	mounted.Volumes = []podVolume{ca}
	if p := checkRunnerContainer(mounted); len(p) != 0 {
		t.Fatalf("a CA file from a ConfigMap was refused: %v", p)
	}

	for _, tt := range []struct {
		name string
		edit func(c *runnerContainer)
		want string
	}{
		{"file not mounted", func(c *runnerContainer) { c.Args = []string{"--ca-file=/etc/other/ca.crt"} }, "refuses the configuration: hookgen run slack: --ca-file: cannot read /etc/other/ca.crt"},
		{"writable mount", func(c *runnerContainer) {
			c.VolumeMounts = []volumeMount{{Name: "ca", MountPath: "/etc/ca/ca.crt", SubPath: "ca.crt"}}
		}, "volume mount ca at /etc/ca/ca.crt is not read-only"},
		{"no such item", func(c *runnerContainer) {
			c.VolumeMounts = []volumeMount{{Name: "ca", MountPath: "/etc/ca/ca.crt", SubPath: "other.crt", ReadOnly: true}}
		}, `volume mount ca: volume ca holds no item "other.crt"`},
		{"no volume", func(c *runnerContainer) { c.Volumes = nil }, "volume mount ca: the pod has no volume ca"},
	} {
		c := mounted
		tt.edit(&c)
		if p := checkRunnerContainer(c); len(p) == 0 || !strings.Contains(p[0], tt.want) {
			t.Errorf("%s: want %q, got %v", tt.name, tt.want, p)
		}
	}
}
