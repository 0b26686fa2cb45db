//go:build tools

// Package tools pins kwok, the fake kubelet used by the full-loop tests.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
