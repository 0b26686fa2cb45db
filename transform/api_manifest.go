package transform

import (
	"github.com/hookgen/hookgen/internal/manifest"
)

// Names from manifest, kept here for callers of transform.

type (
	Manifest = manifest.Manifest
)

const (
	Skip = manifest.Skip
)
