// Package e2e puts the real Argo CD and a real Kubernetes API server in the
// loop around a freshly built hookgen:
//
//   - the real argocd-cmp-server of Argo CD v2.14.21 and v3.3.10 serves the
//     repository's own plugin.yaml with hookgen on its PATH, and Argo CD's
//     own client drives it the way the repo-server does (plugin check,
//     discovery, manifest generation with the repository streamed,
//     parameter announcement), with the environment the repo-server builds
//     for an Application (cmpserver.AppEnv and friends);
//   - what Argo CD receives is compared, object by object, with `hookgen
//     generate` run directly in the same directory with the same
//     environment, and with the golden outputs under testdata/;
//   - every generated Job (and its pod template, as a Pod) is sent to
//     kube-apiserver v1.37.2 as a server-side dry run with strict field
//     validation, into namespaces that enforce and warn on Pod Security
//     "restricted";
//   - the install manifests (the kustomize component over Argo CD's own
//     install.yaml from the Go module cache, the example overlay, the Helm
//     values) are built with the real kustomize and dry-run.
//
// The heavy binaries come from HOOKGEN_TOOLS_BIN (test/tools/build.sh); a
// missing one fails the tests with the command that builds it. Run with
// `make test-e2e`, or from test/: go test ./e2e/...
//
// The helpers in this package (cases, servers, runs, dry runs) are used by
// its tests only.
//
// Costs, measured on the shared 2-core machine (load average 5-9 from
// other work): the package takes 48-80 s (go test's figure; 56 s wall
// with compiling from a warm cache), about 52 CPU-seconds, peak RSS
// 1.1 GB; `make test-e2e` (with internal/kubeapi and internal/cmpserver)
// about 80 s. The shared kube-apiserver is ready in 4-8 s; the
// cmp-servers (one per release and sidecar environment in use) in
// 0.1-0.2 s each. Argo CD streams a request's repository as a tgz: a
// golden case's takes 20-60 ms, this whole repository (1,150 files) about
// 2 s, so the example tests leave the test corpora out, as
// --plugin-tar-exclude would, and TestWholeRepository streams it all once
// per release.
package e2e
