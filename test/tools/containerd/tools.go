//go:build tools

// Package tools pins containerd v2.4.2 for the real node of the sync loop:
// containerd, its runc shim and ctr, built by test/tools/build.sh without
// cgo and without the btrfs, devmapper and zfs snapshotters.
package tools

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"
	_ "github.com/containerd/containerd/v2/cmd/ctr"
)
