package transform_test

import (
	"fmt"
	"os"
	"testing/fstest"

	"github.com/hookgen/hookgen/transform"
)

// A hook declaration becomes a complete Job, printed after the app's own
// resources.
func ExampleRun() {
	repo := fstest.MapFS{
		"app/hookgen.yaml": {Data: []byte(`
apiVersion: hookgen.dev/v1alpha1
kind: HookSet
hooks:
  - name: smoke
    uses: job
    phase: PostSync
    with:
      image: curlimages/curl:8.10.1
      args: [--fail, "http://shop.$(app.namespace).svc/healthz"]
`)},
		"app/service.yaml": {Data: []byte("apiVersion: v1\nkind: Service\nmetadata: {name: shop}\n")},
	}
	res, err := transform.Run(transform.Input{
		Repo:    repo,
		AppDir:  "app",
		Context: transform.Context{App: transform.App{Name: "shop", Namespace: "prod"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, j := range res.Jobs {
		fmt.Println(j.Name, j.Phase, j.Template)
	}
	res.WriteTo(os.Stdout)
	// Output:
	// smoke-postsync PostSync job
	// apiVersion: v1
	// kind: Service
	// metadata: {name: shop}
	// ---
	// apiVersion: batch/v1
	// kind: Job
	// metadata:
	//   name: smoke-postsync
	//   labels:
	//     app.kubernetes.io/managed-by: hookgen
	//     hookgen.dev/hook: smoke
	//   annotations:
	//     argocd.argoproj.io/hook: PostSync
	//     argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
	//     hookgen.dev/template: job
	// spec:
	//   activeDeadlineSeconds: 600
	//   backoffLimit: 1
	//   template:
	//     metadata:
	//       labels:
	//         app.kubernetes.io/managed-by: hookgen
	//         hookgen.dev/hook: smoke
	//     spec:
	//       containers:
	//       - name: smoke
	//         image: curlimages/curl:8.10.1
	//         args:
	//         - --fail
	//         - http://shop.prod.svc/healthz
	//         securityContext:
	//           allowPrivilegeEscalation: false
	//           capabilities:
	//             drop:
	//             - ALL
	//           readOnlyRootFilesystem: true
	//         volumeMounts:
	//         - name: hookgen-tmp
	//           mountPath: /tmp
	//       restartPolicy: Never
	//       automountServiceAccountToken: false
	//       securityContext:
	//         runAsNonRoot: true
	//         runAsUser: 65532
	//         runAsGroup: 65532
	//         seccompProfile:
	//           type: RuntimeDefault
	//       volumes:
	//       - name: hookgen-tmp
	//         emptyDir:
	//           sizeLimit: 64Mi
}

// Problems name the file, the line and the hook, and say what to do.
func ExampleProblems() {
	repo := fstest.MapFS{
		"app/hookgen.yaml": {Data: []byte(`apiVersion: hookgen.dev/v1alpha1
kind: HookSet
hooks:
  - name: migrate
    uses: migration
    with: {imag: "ghcr.io/acme/shop:3.1.0"}
`)},
	}
	_, err := transform.Run(transform.Input{Repo: repo, AppDir: "app"})
	fmt.Println(err)
	// Output:
	// app/hookgen.yaml:6: hook "migrate": template "migration" needs parameter "image" (string): add it under with
	// app/hookgen.yaml:6: hook "migrate": template "migration" has no parameter "imag" (did you mean "image"?)
}
