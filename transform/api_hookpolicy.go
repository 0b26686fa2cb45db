package transform

import (
	"github.com/hookgen/hookgen/internal/hookpolicy"
)

// Names declared in internal/hookpolicy, kept here for the callers of transform.

type (
	HookPolicy     = hookpolicy.HookPolicy
	PolicySpec     = hookpolicy.PolicySpec
	TemplateRules  = hookpolicy.TemplateRules
	ImageRules     = hookpolicy.ImageRules
	Bounds         = hookpolicy.Bounds
	PodRules       = hookpolicy.PodRules
	NamespaceRules = hookpolicy.NamespaceRules
	InjectedHook   = hookpolicy.InjectedHook
	InputLimits    = hookpolicy.InputLimits
)

const (
	PolicyFile          = hookpolicy.PolicyFile
	ManifestHooksAll    = hookpolicy.ManifestHooksAll
	ManifestHooksIgnore = hookpolicy.ManifestHooksIgnore
)
