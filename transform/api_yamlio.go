package transform

import (
	"github.com/hookgen/hookgen/internal/yamlio"
)

// Names from yamlio, kept here for callers of transform.

type (
	Limits = yamlio.Limits
)

var (
	ErrOutsideRoot = yamlio.ErrOutsideRoot
)

// DefaultLimits is yamlio.DefaultLimits.
func DefaultLimits() yamlio.Limits {
	return yamlio.DefaultLimits()
}
