package transform

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookspec"
)

// TestEveryProblemAtOnce checks that independent problems of one hook are
// reported in the same run: a problem found while building a Job does not
// hide a literal secret or a policy rule the Job breaks.
func TestEveryProblemAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		hook string
		want []string
	}{
		{
			name: "integer env beside a password and a latest image",
			hook: `  - name: m
    uses: job
    phase: PreSync
    with:
      image: postgres:latest
      command: [migrate]
      env:
        - {name: PORT, value: 8080}
        - {name: DB_PASSWORD, value: hunter2hunter2}
`,
			want: []string{
				`hookgen.yaml:8: hook "m": policy images.allowUnpinned: container "m": image "postgres:latest" is tagged latest: pin a real tag`,
				`hookgen.yaml:11: hook "m": container "m": env PORT is an integer; Kubernetes wants a string here: quote it`,
				`hookgen.yaml:12: hook "m": env DB_PASSWORD has a literal value; a secret belongs in a Secret: use valueFrom.secretKeyRef`,
			},
		},
		{
			name: "unknown parameter beside a token",
			hook: `  - name: n
    uses: job
    phase: PostSync
    with:
      image: ghcr.io/acme/n:1.0
      retries: 3
      env:
        - {name: API_TOKEN, value: tok-3f9a8b7c6d5e4f3a2b1c}
`,
			want: []string{
				`hookgen.yaml:9: hook "n": template "job" has no parameter "retries" (known: args, command, env, envFrom, image, volumeMounts, volumes, workingDir)`,
				`hookgen.yaml:11: hook "n": env API_TOKEN has a literal value; a secret belongs in a Secret: use valueFrom.secretKeyRef`,
			},
		},
		{
			name: "bad job field beside a latest image",
			hook: `  - name: c
    phase: PostSync
    job:
      backoffLimit: many
      template:
        spec:
          containers: [{name: main, image: "busybox:latest"}]
`,
			want: []string{
				`hookgen.yaml:7: hook "c": job backoffLimit must be a non-negative integer`,
				`hookgen.yaml:10: hook "c": policy images.allowUnpinned: container "main": image "busybox:latest" is tagged latest: pin a real tag`,
			},
		},
		{
			name: "unknown placeholders beside a password and a latest image",
			hook: `  - name: p
    uses: job
    phase: PreSync
    namespace: $(app.nmespace)
    serviceAccountName: $(app.sa)
    podLabels: {team: $(app.team)}
    with:
      image: "ghcr.io/acme/p:$(app.revison)"
      command: [run, "$(hook.stage)"]
      env:
        - {name: DB_PASSWORD, value: hunter2hunter2}
        - {name: API_KEY, value: "$(app.key)"}
  - name: q
    phase: PostSync
    job:
      activeDeadlineSeconds: $(app.deadline)
      template:
        spec:
          containers: [{name: main, image: "busybox:latest"}]
`,
			want: []string{
				`hookgen.yaml:7: hook "p": namespace: unknown placeholder $(app.nmespace) (did you mean "namespace"?)`,
				`hookgen.yaml:8: hook "p": serviceAccountName: unknown placeholder $(app.sa) (known: kubeVersion, name, namespace, path, project, repoURL, revision, revisionShort, targetRevision)`,
				`hookgen.yaml:9: hook "p": podLabels.team: unknown placeholder $(app.team) (known: kubeVersion, name, namespace, path, project, repoURL, revision, revisionShort, targetRevision)`,
				`hookgen.yaml:11: hook "p": unknown placeholder $(app.revison) (did you mean "revision"?)`,
				`hookgen.yaml:12: hook "p": unknown placeholder $(hook.stage) (known: name, outcome, phase)`,
				`hookgen.yaml:14: hook "p": env DB_PASSWORD has a literal value; a secret belongs in a Secret: use valueFrom.secretKeyRef`,
				`hookgen.yaml:15: hook "p": unknown placeholder $(app.key) (known: kubeVersion, name, namespace, path, project, repoURL, revision, revisionShort, targetRevision)`,
				`hookgen.yaml:19: hook "q": unknown placeholder $(app.deadline) (known: kubeVersion, name, namespace, path, project, repoURL, revision, revisionShort, targetRevision)`,
				`hookgen.yaml:22: hook "q": policy images.allowUnpinned: container "main": image "busybox:latest" is tagged latest: pin a real tag`,
			},
		},
		{
			name: "field of the wrong type beside a password and a latest image",
			hook: `  - name: w
    uses: job
    phase: PreSync
    enabled: 1
    hardening: {runAsUser: "x"}
    with:
      image: postgres:latest
      env:
        - {name: DB_PASSWORD, value: hunter2hunter2}
`,
			want: []string{
				`hookgen.yaml:7: hook "w": "enabled" must be true or false, not an integer`,
				`hookgen.yaml:8: hook "w": "runAsUser" must be an integer, not a string`,
				`hookgen.yaml:10: hook "w": policy images.allowUnpinned: container "w": image "postgres:latest" is tagged latest: pin a real tag`,
				`hookgen.yaml:12: hook "w": env DB_PASSWORD has a literal value; a secret belongs in a Secret: use valueFrom.secretKeyRef`,
			},
		},
		{
			name: "missing parameter: the Job is not built",
			hook: `  - name: d
    uses: job
    phase: PostSync
    with:
      env:
        - {name: API_TOKEN, value: tok-3f9a8b7c6d5e4f3a2b1c}
`,
			want: []string{
				`hookgen.yaml:7: hook "d": template "job" needs parameter "image" (string): add it under with`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"app/hookgen.yaml": {Data: []byte(setHeader + "hooks:\n" + tc.hook)}}
			res, err := Run(Input{Repo: fsys, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}, RunnerImage: "runner:1"}})
			if err == nil {
				t.Fatalf("no problems; output %v", res)
			}
			if got := strings.Split(strings.ReplaceAll(err.Error(), "app/hookgen.yaml", "hookgen.yaml"), "\n"); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
