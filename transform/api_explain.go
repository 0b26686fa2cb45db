package transform

import (
	"github.com/hookgen/hookgen/internal/emit"
	"github.com/hookgen/hookgen/internal/explain"
)

// Names from explain, kept here for callers of transform.

type (
	ArgoReading = explain.ArgoReading
	Object      = explain.Object
	Timeline    = explain.Timeline
	Stage       = explain.Stage
	Wave        = explain.Wave
	Note        = explain.Note
)

// ReadArgo is explain.ReadArgo.
func ReadArgo(obj map[string]any) explain.ArgoReading {
	return explain.ReadArgo(obj)
}

// Explain is explain.Explain.
func Explain(res *emit.Result) *explain.Timeline {
	return explain.Explain(res)
}
