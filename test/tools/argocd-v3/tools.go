//go:build tools

// Package tools pins the multi-call argocd binary of Argo CD v3.3.10. Its
// personality (argocd-cmp-server, argocd-repo-server,
// argocd-application-controller, ...) is chosen at run time with the
// ARGOCD_BINARY_NAME environment variable.
//
// v3.3.10 is the newest v3 release whose complete binary can be built from
// the Go module proxy on Go 1.26. Argo CD 3.3 builds with an in-repository
// copy of gitops-engine (replace github.com/argoproj/gitops-engine =>
// ./gitops-engine) that is not published as a module, so this module links
// the newest published gitops-engine instead: the master commit 5baed56 of
// 2025-12-17 (the one v3.2.11 pins), which go.mod keeps above the older
// pseudo-version v3.3.x names. Against v3.3.10's in-repository copy it
// differs in server-side apply migration, server-side diff, the cluster
// cache and one visible value: the cluster version, which this build
// reports as "1.37" where a stock v3.3.10 reports "1.37.2" (so the
// plugin's KUBE_VERSION differs). The hook code is the same: Argo CD's own
// PreDelete and PostDelete handling (controller/hook.go) is v3.3.10's, and
// gitops-engine's sync tasks, hook phases, waves and delete policies are
// identical in both copies.
//
// Newer 3.3 releases do not compile against any published gitops-engine:
// from v3.3.14 on, controller/sync.go calls sync.NewSyncContext without
// the openAPISchema argument that every published gitops-engine still has
// (v3.3.8 and v3.3.11 to v3.3.13 are not on the proxy).
package tools

import (
	_ "github.com/argoproj/argo-cd/v3/cmd"
)
