//go:build tools

// Package tools pins the Kubernetes control-plane commands built by
// test/tools/build.sh: kube-apiserver, kube-controller-manager and
// kube-scheduler, all from k8s.io/kubernetes v1.37.2.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
