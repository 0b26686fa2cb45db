package cmpserver

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

// Main runs the tests with TMPDIR pointing at a private directory that is
// removed afterwards:
//
//	func TestMain(m *testing.M) { os.Exit(cmpserver.Main(m)) }
//
// Argo CD's client code (util/tgzstream.CompressFiles, used by
// SendRepoStream on every request) creates a <uuid> directory in
// os.TempDir() for the repository tgz and removes only the file, so each
// request leaves an empty directory behind; the repo-server does the same.
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "cmptest")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cmpserver:", err)
		return 1
	}
	old, had := os.LookupEnv("TMPDIR")
	os.Setenv("TMPDIR", dir)
	code := m.Run()
	if had {
		os.Setenv("TMPDIR", old)
	} else {
		os.Unsetenv("TMPDIR")
	}
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, "cmpserver:", err)
	}
	return code
}

// TempFS names the file system of os.TempDir(), where the servers this
// package starts write each request's files (the repository's tar and its
// extraction): "tmpfs", "ext4", ... or the magic number in hex. The
// benchmarks record it, since it sets much of a request's time.
func TempFS() (string, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(os.TempDir(), &st); err != nil {
		return "", fmt.Errorf("statfs %s: %w", os.TempDir(), err)
	}
	switch uint64(st.Type) {
	case 0x01021994:
		return "tmpfs", nil
	case 0xef53:
		return "ext4", nil
	case 0x58465342:
		return "xfs", nil
	case 0x9123683e:
		return "btrfs", nil
	case 0x794c7630:
		return "overlayfs", nil
	}
	return fmt.Sprintf("file system 0x%x", uint64(st.Type)), nil
}
