package transform

// Limits bound what hookgen reads, so that a hostile repository cannot make
// it run out of time or memory. Every limit that is hit is a problem naming
// the limit and its value.
type Limits struct {
	MaxFileBytes  int64 // one file
	MaxTotalBytes int64 // all files read in one run
	MaxDocuments  int   // YAML documents in one file
	MaxNodes      int   // YAML nodes one document expands to (aliases included)
	MaxDepth      int   // YAML nesting depth
	MaxHooks      int   // hooks in all HookSets together
}

// DefaultLimits are generous for real applications (thousands of resources,
// dozens of hooks) and small enough to stop abuse quickly.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:  16 << 20,
		MaxTotalBytes: 64 << 20,
		MaxDocuments:  50_000,
		MaxNodes:      2_000_000,
		MaxDepth:      100,
		MaxHooks:      500,
	}
}
