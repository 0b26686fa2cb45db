package transform

import (
	"github.com/hookgen/hookgen/internal/jobgen"
)

// Names declared in internal/jobgen, kept here for the callers of transform.

type (
	Job = jobgen.Job
)

const (
	DefaultActiveDeadlineSeconds = jobgen.DefaultActiveDeadlineSeconds
	DefaultBackoffLimit          = jobgen.DefaultBackoffLimit
	DefaultGenerateNameTTL       = jobgen.DefaultGenerateNameTTL
	MinHookTTL                   = jobgen.MinHookTTL
)

var (
	RunnerEnv = jobgen.RunnerEnv
)
