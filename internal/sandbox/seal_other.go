//go:build !(linux && (amd64 || arm64))

package sandbox

// denyExecAndNetwork has no seccomp to use here; the in-process guards
// of Seal hold alone.
func denyExecAndNetwork() {}
