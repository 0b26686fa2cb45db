package transform

import (
	"strings"
	"testing"
	"testing/fstest"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestScaffold(t *testing.T) {
	cfg := fstest.MapFS{
		"templates/notify.yaml": {Data: []byte(`apiVersion: hookgen.dev/v1alpha1
kind: HookTemplate
metadata: {name: notify}
spec:
  description: Say something.
  phases: [PostSync, SyncFail]
  params:
    - {name: webhook, type: secretKeyRef, required: true, description: Where to post.}
    - {name: text, default: "$(app.name): done # really"}
    - {name: lines, default: "a\nb"}
    - {name: tries, type: int, default: 3}
  job: {template: {spec: {containers: [{name: n, image: "x:1"}]}}}
`)},
		"policy.yaml": {Data: []byte(`apiVersion: hookgen.dev/v1alpha1
kind: HookPolicy
metadata: {name: p}
spec:
  templates: {allow: [notify, job]}
  bounds: {requireResources: [requests.cpu, limits.memory], requireTTLSecondsAfterFinished: true, maxResources: {memory: 1Gi}}
  inject:
    - hook: {name: notify, uses: notify, phase: SyncFail, with: {webhook: {secret: s, key: k}}}
`)},
	}
	ts, policy, err := Catalog(Input{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Scaffold(ts, policy, []string{"notify", "job"})
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"# yaml-language-server: $schema=" + SchemaURL + "\n",
		"defaults:\n  resources:\n    requests:\n      cpu:  # required",
		"    limits:\n      memory:  # required (a quantity such as 100m or 128Mi, at most 1Gi)\n",
		"  ttlSecondsAfterFinished:  # required",
		"  - name: notify-2\n    uses: notify\n", // the platform injects "notify"
		"    phase:  # required: one of PostSync, SyncFail\n",
		"      # Where to post. (required, secretKeyRef: {secret: NAME, key: KEY})\n      webhook:\n",
		"      # text: '$(app.name): done # really'\n",
		"      # lines: \"a\\nb\"\n",
		"      # tries: 3\n",
		"  - name: job\n    uses: job\n    phase:  # required: one of PreSync, Sync, PostSync, SyncFail, PreDelete, PostDelete\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("scaffold lacks %q:\n%s", want, text)
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Errorf("not YAML: %v", err)
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"notfy"}, `unknown template "notfy" (did you mean "notify"?)`},
		{[]string{"job", "job"}, `template "job" is named twice`},
		{[]string{"migration"}, `does not let hooks use template "migration"`},
	} {
		if _, err := Scaffold(ts, policy, tc.names); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Scaffold(%v): %v, want %q", tc.names, err, tc.want)
		}
	}
}
