//go:build tools

// Package tools pins the multi-call argocd binary of Argo CD v3.2.12. Its
// personality (argocd-cmp-server, argocd-repo-server,
// argocd-application-controller, ...) is chosen at run time with the
// ARGOCD_BINARY_NAME environment variable.
//
// v3.2.12 is the newest v3 release whose complete binary can be built from
// the Go module proxy on Go 1.26: v3.3.x builds with an in-repository copy of
// gitops-engine (replace github.com/argoproj/gitops-engine => ./gitops-engine)
// that is not published as a module, and the published pseudo-version it
// names no longer matches the v3.3.x controller code.
package tools

import (
	_ "github.com/argoproj/argo-cd/v3/cmd"
)
