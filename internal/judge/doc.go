// Package judge is the last stage of a run. It reads the final stream,
// after templates, substitution, overrides, platform injection, kustomize
// (namespace, name prefixes, patches), annotate rules and
// convertHelmHooks, and applies the policy to every hook in it, whatever
// made it: the Jobs hookgen generated, and the application's own
// resources Argo CD will run as hooks (an argocd.argoproj.io/hook
// annotation other than Skip alone, or a helm.sh/hook one other than
// crd-install, as gitops-engine's hook.IsHook decides). It reads each
// object as the API server decodes it (canon.Value), never the text of a
// scalar, and holds pods to Pod Security level restricted
// (internal/podsec) where the policy does not allow otherwise.
//
// Judge takes the Jobs (internal/jobgen), the Manifests
// (internal/manifest), the HookPolicy and the run's Context, and adds
// what it refuses to the run's problems. Nothing but the output stage
// comes after it.
package judge
