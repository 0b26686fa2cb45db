package yamlio

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
}

// NodeBudget is what one YAML document may expand to, and the name of the
// node limit for messages. When aliases is set, the nodes that aliases add
// are also counted against maxNodes over every document that shares it.
type NodeBudget struct {
	MaxNodes, MaxDepth int
	Name               string
	aliases            *AliasBudget
}

// AliasBudget counts, over a whole run, the nodes that expanding aliases
// adds: each document may expand to max-nodes, but all of them together
// may not add more than max-nodes either, or a few kilobytes of anchors
// per document would hold gigabytes of trees.
type AliasBudget struct {
	spent    int
	reported bool
}

// ManifestBudget bounds an application's manifest document.
func (l Limits) ManifestBudget(aliases *AliasBudget) NodeBudget {
	return NodeBudget{MaxNodes: l.MaxNodes, MaxDepth: l.MaxDepth, Name: "max-nodes", aliases: aliases}
}

// specBudget bounds a document of hookgen's own files.
func (l Limits) specBudget() NodeBudget {
	return NodeBudget{MaxNodes: l.MaxSpecNodes, MaxDepth: l.MaxDepth, Name: "max-spec-nodes"}
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
