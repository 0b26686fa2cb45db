package transform

import (
	"github.com/hookgen/hookgen/internal/jobgen"
)

// Names from jobgen, kept here for callers of transform.

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
