// Package realnode runs hookgen's hooks for real: Argo CD's sync loop
// (package internal/loop) on a real node (package internal/node) whose
// kubelet, containerd and runc start the hook containers. The scenarios
// assert from watched events, the kubelet's container states and the
// requests the recording sink received:
//
//   - shop: a Deployment and its Service, a PreSync migration, a PostSync
//     http-check against the Service, webhook and Slack hooks on PostSync
//     and SyncFail sending to the sink; then a failing migration;
//   - image-users: hooks on an image that runs as root and on one whose
//     USER is a name, with hookgen's default hardening;
//   - read-only-root: a hook writing outside /tmp;
//   - command: cmd/hookgen-loop --node real on the stack;
//   - private-ca: a webhook and an http-check to the sink's HTTPS side,
//     whose certificate a private CA signed, with its CA as caBundle
//     from a ConfigMap and from a Secret; the webhook without it fails.
//
// The runner image is hookgen's own, as make image builds it
// (node.HookgenArchive).
//
// It needs root (mount and network namespaces, cgroups), Debian's runc,
// and the node binaries of test/tools/build.sh.
package realnode
