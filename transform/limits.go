package transform

// Limits bound what hookgen reads, so that a hostile repository cannot make
// it run out of time or memory. Every limit that is hit is a problem naming
// the limit and its value.
type Limits struct {
	MaxFileBytes  int64 // one file
	MaxTotalBytes int64 // all files read in one run
	MaxDocuments  int   // YAML documents in one file
	MaxNodes      int   // YAML nodes one manifest document expands to (aliases included)
	MaxSpecNodes  int   // the same for hookgen's own files: hookgen.yaml, templates, policy
	MaxDepth      int   // YAML nesting depth
	MaxHooks      int   // hooks in all HookSets together

	limitName string // how messages name MaxNodes where it stands for another limit
}

// DefaultLimits are generous for real applications (thousands of resources,
// dozens of hooks) and small enough to stop abuse quickly.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:  16 << 20,
		MaxTotalBytes: 64 << 20,
		MaxDocuments:  50_000,
		MaxNodes:      250_000, // more than any object etcd stores (1.5 MiB)
		MaxSpecNodes:  20_000,  // 500 hooks of 40 nodes each
		MaxDepth:      100,
		MaxHooks:      500,
	}
}
