package transform

import (
	"github.com/hookgen/hookgen/internal/emit"
)

// Names from emit, kept here for callers of transform.

type (
	Result = emit.Result
)
