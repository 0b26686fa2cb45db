package transform

import (
	"github.com/hookgen/hookgen/internal/problem"
)

// Names from problem, kept here for callers of transform.

type (
	Pos      = problem.Pos
	Problem  = problem.Problem
	Problems = problem.Problems
)
