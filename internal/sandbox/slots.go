package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Argo CD asks for manifests in parallel, and every request is a hookgen
// process in the same sidecar, under one memory limit. Building a large
// Kustomize application takes tens of MiB (kustomize's own trees), so ten
// at once would not fit in the shipped 256Mi. generate therefore takes one
// of a few slots, file locks in the sidecar's /tmp, for the build; the
// others wait their turn, holding little memory. The kernel drops a lock
// when its process ends, however it ends.
//
// The caller names the number of slots (the sidecar's
// HOOKGEN_GENERATE_SLOTS; 0 turns the bound off). Without a writable temporary directory there is no
// bound, nor on systems without flock (Windows: a local command line,
// never the sidecar).

// AcquireSlot waits for one of n slots to be free and returns what
// releases it. With n 0 (or less) it returns at once.
func AcquireSlot(n int) (release func()) {
	if n <= 0 {
		return func() {}
	}
	dir := filepath.Join(os.TempDir(), "hookgen-slots")
	if os.MkdirAll(dir, 0o700) != nil {
		return func() {}
	}
	open := func(i int) *os.File {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("slot-%d", i)), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil
		}
		return f
	}
	// Try every slot; when all are taken, look again a little later.
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		for i := 0; i < n; i++ {
			f := open(i)
			if f == nil {
				return func() {}
			}
			if tryLock(f) {
				return func() { f.Close() }
			}
			f.Close()
		}
		time.Sleep(wait)
	}
}
