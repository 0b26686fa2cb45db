package transform

import (
	"github.com/hookgen/hookgen/internal/hookset"
)

// Names declared in internal/hookset, kept here for the callers of transform.

type (
	HookField = hookset.HookField
	Templates = hookset.Templates
)

const (
	DefaultRunAsUser  = hookset.DefaultRunAsUser
	DefaultRunAsGroup = hookset.DefaultRunAsGroup
	MaxWritablePaths  = hookset.MaxWritablePaths
	OriginBuiltin     = hookset.OriginBuiltin
	OriginPlatform    = hookset.OriginPlatform
	OriginRepo        = hookset.OriginRepo
	DNSLabelPattern   = hookset.DNSLabelPattern
)

var (
	HookFields = hookset.HookFields
)
