package sandbox

import (
	"os"
	"runtime/debug"
)

// readMemoryLimit is the Go runtime's soft memory limit for the commands
// that read a repository, unless GOMEMLIMIT sets another. Left to GOGC
// alone, the heap grows to twice what is live before a collection, so an
// app at the documented limits (64 MiB of YAML, about 100 MiB live at the
// end) peaked near 250 MiB, next to the sidecar's 256Mi. With this limit
// the collector runs earlier as the heap nears it: such apps peak at
// 170-180 MiB (TestDocumentedLimitsMemory), and small apps, whose heap
// never gets near it, are not affected. It is a soft limit: a run whose
// live data exceeds it still completes, collecting more often.
const readMemoryLimit = 160 << 20

// boundMemory sets readMemoryLimit unless the environment names a limit.
func boundMemory() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	debug.SetMemoryLimit(readMemoryLimit)
}
