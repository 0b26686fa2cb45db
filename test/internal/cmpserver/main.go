package cmpserver

import (
	"fmt"
	"os"
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
