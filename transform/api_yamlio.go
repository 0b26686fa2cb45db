package transform

import (
	"github.com/hookgen/hookgen/internal/yamlio"
)

// Names declared in internal/yamlio, kept here for the callers of transform.

type (
	Limits = yamlio.Limits
)

var (
	ErrOutsideRoot = yamlio.ErrOutsideRoot
)

// DefaultLimits are generous for real applications (thousands of resources,
// dozens of hooks) and small enough to stop abuse quickly.
func DefaultLimits() Limits {
	return yamlio.DefaultLimits()
}
