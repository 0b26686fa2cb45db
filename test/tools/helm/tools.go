//go:build tools

// Package tools pins the helm command line, which Argo CD's repo-server
// runs to render a Helm chart source.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
