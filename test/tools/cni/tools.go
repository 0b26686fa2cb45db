//go:build tools

// Package tools pins the CNI plugins the real node's pods use: bridge,
// host-local IPAM and loopback, from containernetworking/plugins v1.10.0.
package tools

import (
	_ "github.com/containernetworking/plugins/plugins/ipam/host-local"
	_ "github.com/containernetworking/plugins/plugins/main/bridge"
	_ "github.com/containernetworking/plugins/plugins/main/loopback"
)
