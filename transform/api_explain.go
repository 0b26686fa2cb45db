package transform

import (
	"github.com/hookgen/hookgen/internal/explain"
)

// Names declared in internal/explain, kept here for the callers of transform.

type (
	ArgoReading = explain.ArgoReading
	Object      = explain.Object
	Timeline    = explain.Timeline
	Stage       = explain.Stage
	Wave        = explain.Wave
	Note        = explain.Note
)

// ReadArgo reads an object, decoded as the API server decodes it, the
// way Argo CD does.
func ReadArgo(obj map[string]any) ArgoReading {
	return explain.ReadArgo(obj)
}

// Explain lays a Result out as a Timeline.
func Explain(res *Result) *Timeline {
	return explain.Explain(res)
}
