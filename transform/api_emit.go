package transform

import (
	"github.com/hookgen/hookgen/internal/emit"
)

// Names declared in internal/emit, kept here for the callers of transform.

type (
	Result = emit.Result
)
