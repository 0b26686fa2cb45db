package transform

import (
	"github.com/hookgen/hookgen/internal/manifest"
)

// Names declared in internal/manifest, kept here for the callers of transform.

type (
	Manifest = manifest.Manifest
)

const (
	Skip = manifest.Skip
)
