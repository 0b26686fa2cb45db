//go:build tools

// Package tools pins the multi-call argocd binary of Argo CD v3.2.11. Its
// personality (argocd-cmp-server, argocd-repo-server,
// argocd-application-controller, ...) is chosen at run time with the
// ARGOCD_BINARY_NAME environment variable.
//
// v3.2.11 is the newest v3 release whose complete binary can be built from
// the Go module proxy on Go 1.26:
//   - v3.3.x builds with an in-repository copy of gitops-engine (replace
//     github.com/argoproj/gitops-engine => ./gitops-engine) that is not
//     published as a module; the published pseudo-version its go.mod names
//     no longer matches the v3.3.x controller code (sync.NewSyncContext lost
//     its openAPISchema parameter), so the controller does not compile;
//   - the proxy's copy of v3.2.12 was taken before the tag was moved and
//     does not compile (controller/cache uses settings.ValidateExternalURL,
//     which that copy of util/settings lacks).
package tools

import (
	_ "github.com/argoproj/argo-cd/v3/cmd"
)
