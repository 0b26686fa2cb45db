package transform

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/subst"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestContextValuesEscapedForKubernetes checks that a value from Argo CD
// or the Application (a branch named "$(DB_PASSWORD)" is valid) is written
// where the kubelet expands $(VAR) (command, args and env values of every
// container) escaped as $$(, so that the container sees the text and not
// a variable; written elsewhere as is; and that $(VAR) the repository
// writes itself still reaches Kubernetes.
func TestContextValuesEscapedForKubernetes(t *testing.T) {
	const rev = "$(DB_PASSWORD)"
	spec := setHeader + `hooks:
  - name: raw
    phase: PostSync
    env: [{name: FROM_HOOK_ENV, value: "rev=$(app.targetRevision)"}]
    job:
      template:
        metadata:
          annotations: {rev: "$(app.targetRevision)"}
        spec:
          initContainers:
            - name: init
              image: busybox:1.37
              command: ["sh", "-c", "echo $(app.targetRevision) $(env.BRANCH)"]
          containers:
            - name: c
              image: busybox:1.37
              args: [$(app.targetRevision), "--rev=$(app.targetRevision)", "--home=$(HOME)", "--lit=$$(app.name)"]
              env:
                - {name: REV, value: $(app.targetRevision)}
                - {name: BRANCH, value: "b:$(env.BRANCH)"}
          restartPolicy: Never
  - name: tmpl
    phase: PreSync
    uses: job
    with:
      image: busybox:1.37
      args: ["--rev=$(app.targetRevision)", $(app.targetRevision), "$(TOKEN)"]
      env: [{name: MSG, value: "deploying $(app.targetRevision)"}]
  - name: check
    phase: PostSync
    uses: http-check
    with: {url: "https://shop.example.com/healthz?rev=$(app.targetRevision)"}
`
	fsys := fstest.MapFS{"app/hookgen.yaml": {Data: []byte(spec)}}
	res, err := Run(Input{Repo: fsys, AppDir: "app", Context: hookspec.Context{
		App: hookspec.App{Name: "shop", TargetRevision: rev}, RunnerImage: "runner:1",
		Env: map[string]string{"BRANCH": "x$(SECRET)y$"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := res.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	docs := map[string]*yaml.RNode{}
	for _, d := range strings.Split(out.String(), "\n---\n") {
		n, err := yaml.Parse(d)
		if err != nil {
			t.Fatal(err)
		}
		docs[n.GetName()] = n
	}
	get := func(job, path string) string {
		t.Helper()
		n, ok := docs[job]
		if !ok {
			t.Fatalf("no Job %s in:\n%s", job, out.String())
		}
		v, err := n.Pipe(yaml.Lookup(strings.Split(path, ".")...))
		if err != nil || v == nil {
			t.Fatalf("%s: no %s", job, path)
		}
		return strings.TrimSpace(v.MustString())
	}
	for _, tc := range []struct {
		job, path, want string
	}{
		{"raw-postsync", "spec.template.metadata.annotations.rev", "$(DB_PASSWORD)"},
		{"raw-postsync", "spec.template.spec.initContainers.[name=init].command.2", "echo $$(DB_PASSWORD) x$$(SECRET)y$$"},
		{"raw-postsync", "spec.template.spec.containers.[name=c].args.0", "$$(DB_PASSWORD)"},
		{"raw-postsync", "spec.template.spec.containers.[name=c].args.1", "--rev=$$(DB_PASSWORD)"},
		{"raw-postsync", "spec.template.spec.containers.[name=c].args.2", "--home=$(HOME)"},
		{"raw-postsync", "spec.template.spec.containers.[name=c].args.3", "--lit=$(app.name)"},
		{"raw-postsync", "spec.template.spec.containers.[name=c].env.[name=REV].value", "$$(DB_PASSWORD)"},
		{"raw-postsync", "spec.template.spec.containers.[name=c].env.[name=BRANCH].value", "b:x$$(SECRET)y$$"},
		{"raw-postsync", "spec.template.spec.containers.[name=c].env.[name=FROM_HOOK_ENV].value", "rev=$$(DB_PASSWORD)"},
		{"tmpl-presync", "spec.template.spec.containers.[name=tmpl].args.0", "--rev=$$(DB_PASSWORD)"},
		{"tmpl-presync", "spec.template.spec.containers.[name=tmpl].args.1", "$$(DB_PASSWORD)"},
		{"tmpl-presync", "spec.template.spec.containers.[name=tmpl].args.2", "$(TOKEN)"},
		{"tmpl-presync", "spec.template.spec.containers.[name=tmpl].env.[name=MSG].value", "deploying $$(DB_PASSWORD)"},
		{"check-postsync", "spec.template.spec.containers.0.env.[name=HOOKGEN_APP_TARGET_REVISION].value", "$$(DB_PASSWORD)"},
		{"check-postsync", "spec.template.spec.containers.0.args.0", "--url=https://shop.example.com/healthz?rev=$$(DB_PASSWORD)"},
	} {
		if got := get(tc.job, tc.path); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.job, tc.path, got, tc.want)
		}
	}
	if strings.Contains(out.String(), subst.MarkedDollar) {
		t.Errorf("a marked dollar reached the output:\n%s", out.String())
	}
}
