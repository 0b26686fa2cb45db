// Package sidecar runs hookgen's sidecar the way the install in
// manifests/ does, in a pod on a real node: Argo CD's image (assembled
// here from the argocd binary the tools build) copies argocd-cmp-server
// in its copyutil init container, and hookgen's image (make image) serves
// the plugin with it. Argo CD's repo-server and controller, processes on
// the host, generate through that pod's socket.
//
// The Argo CD release is v2.14, whose install.yaml the test module
// requires (the e2e install test builds the same one).
//
// It needs root and a real node, like package realnode (make test-node).
package sidecar
