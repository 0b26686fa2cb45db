//go:build tools

// Package tools pins the node binaries of the real node: kubelet and
// kube-proxy from k8s.io/kubernetes v1.37.2. The go.mod is the one of
// ../kube (same versions, same staging replaces), so the packages both
// builds share compile once.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
