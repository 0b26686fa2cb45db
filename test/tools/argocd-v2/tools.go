//go:build tools

// Package tools pins the multi-call argocd binary of Argo CD v2.14.21. Its
// personality (argocd-cmp-server, argocd-repo-server,
// argocd-application-controller, ...) is chosen at run time with the
// ARGOCD_BINARY_NAME environment variable.
package tools

import (
	_ "github.com/argoproj/argo-cd/v2/cmd"
)
