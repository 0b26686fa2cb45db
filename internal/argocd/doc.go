// Package argocd is the Argo CD side of hookgen's plugin contract: it
// turns what Argo CD's cmp-server gives a plugin into a transform.Input.
//
// Argo CD runs a Config Management Plugin's generate command in
// <repository root>/<source path> with its build environment: the
// Application's context in ARGOCD_APP_* (and KUBE_VERSION), the
// Application's plugin env as ARGOCD_ENV_<NAME>, and its plugin parameters
// as JSON in ARGOCD_APP_PARAMETERS and again as PARAM_* variables. The
// sidecar adds hookgen's own settings (HOOKGEN_CONFIG_DIR,
// HOOKGEN_RUNNER_IMAGE, HOOKGEN_ARGOCD_URL, HOOKGEN_ARGOCD_VERSION,
// HOOKGEN_GENERATE_SLOTS). This package reads all of them: Context builds
// transform.Context, ReadOverrides the parameters, BuildInput opens the
// repository and the config directory (through package sandbox) and puts
// it together.
//
// The contract's one hard rule is the front end's to keep, and it is
// why the input is read whole before anything runs: the generate command
// prints the manifests only when every step succeeded, and nothing
// otherwise. Argo CD treats empty output as "no resources", and with
// automated pruning that deletes an application; partial output would
// delete part of one.
//
// It writes nothing and decides no exit code; package plugin, hookgen's
// front end, calls it and reports what it returns.
package argocd
