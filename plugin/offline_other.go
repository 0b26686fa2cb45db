//go:build !(linux && (amd64 || arm64))

package plugin

// denyExecAndNetwork has no seccomp to use here; the in-process guards
// of Isolate hold alone.
func denyExecAndNetwork() {}
