// Package cmpserver runs the real Argo CD Config Management Plugin server
// (the argocd-cmp-server personality of the argocd multi-call binary, v2 or
// v3, built by test/tools/build.sh) and talks to it exactly the way Argo CD's
// repo-server does.
//
// Server side (Start): a config dir holding plugin.yaml, a PATH for the
// plugin commands, the socket dir (ARGOCD_PLUGINSOCKFILEPATH) under a short
// temp dir so the unix socket path stays below 108 bytes, and the work dir
// (ARGOCD_CMP_WORKDIR). The server ignores SIGTERM, so it is stopped with
// SIGKILL. Its log is dumped when the test fails.
//
// Client side: Client wraps the gRPC ConfigManagementPluginService client
// that Argo CD's repo-server uses (cmpserver/apiclient of argo-cd v2.14.21;
// the protocol is the same in v3) and sends the repository the same way,
// with util/cmp.SendRepoStream: the whole repository root as a tgz, the
// application path absolute under that root, and the environment entries.
// Results come back as plain Go values; gRPC failures become *CMPError.
//
// Repo-server emulation, following reposerver/repository/repository.go and
// util/app/discovery of the same release:
//   - AppEnv, AnnouncementEnv and DiscoveryEnv build the environment the
//     repo-server sends for an Application (ARGOCD_APP_*, KUBE_*,
//     ARGOCD_ENV_<name> with Argo CD's Envsubst, parameters via
//     v1alpha1.ApplicationSourcePluginParameters.Environ), for v2 or v3;
//   - Detect picks the plugin for an app (named plugin, or discovery over
//     all sockets in the socket dir, first match wins);
//   - GenerateForApp runs the whole runConfigManagementPluginSidecars path
//     and parses the output into unstructured objects with gitops-engine's
//     kube.SplitYAML, as the repo-server does.
//
// Use Main as TestMain of packages that use the client: Argo CD's client
// code leaves an empty directory in os.TempDir() per request, and Main
// points TMPDIR at a directory it removes afterwards.
package cmpserver
