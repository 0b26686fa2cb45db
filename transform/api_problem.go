package transform

import (
	"github.com/hookgen/hookgen/internal/problem"
)

// Names declared in internal/problem, kept here for the callers of transform.

type (
	Pos      = problem.Pos
	Problem  = problem.Problem
	Problems = problem.Problems
)
