package transform

import (
	"github.com/hookgen/hookgen/internal/hookspec"
)

// Names declared in internal/hookspec, kept here for the callers of transform.

type (
	Phase                = hookspec.Phase
	DeletePolicy         = hookspec.DeletePolicy
	App                  = hookspec.App
	Context              = hookspec.Context
	ArgoCDVersion        = hookspec.ArgoCDVersion
	StringList           = hookspec.StringList
	Quantity             = hookspec.Quantity
	HookSet              = hookspec.HookSet
	AnnotateRule         = hookspec.AnnotateRule
	ResourceMatch        = hookspec.ResourceMatch
	Knobs                = hookspec.Knobs
	LocalObjectReference = hookspec.LocalObjectReference
	Defaults             = hookspec.Defaults
	Hook                 = hookspec.Hook
	Manifests            = hookspec.Manifests
	Resources            = hookspec.Resources
	Toleration           = hookspec.Toleration
	EnvVar               = hookspec.EnvVar
	Hardening            = hookspec.Hardening
	ObjectMeta           = hookspec.ObjectMeta
	HookTemplate         = hookspec.HookTemplate
	TemplateSpec         = hookspec.TemplateSpec
	TemplateDefaults     = hookspec.TemplateDefaults
	Param                = hookspec.Param
	ParamType            = hookspec.ParamType
)

const (
	AnnotationHook             = hookspec.AnnotationHook
	AnnotationHookDeletePolicy = hookspec.AnnotationHookDeletePolicy
	AnnotationSyncWave         = hookspec.AnnotationSyncWave
	PreSync                    = hookspec.PreSync
	Sync                       = hookspec.Sync
	PostSync                   = hookspec.PostSync
	SyncFail                   = hookspec.SyncFail
	PreDelete                  = hookspec.PreDelete
	PostDelete                 = hookspec.PostDelete
	HookSucceeded              = hookspec.HookSucceeded
	HookFailed                 = hookspec.HookFailed
	BeforeHookCreation         = hookspec.BeforeHookCreation
	QuantityPattern            = hookspec.QuantityPattern
	APIVersion                 = hookspec.APIVersion
	KindHookSet                = hookspec.KindHookSet
	KindHookTemplate           = hookspec.KindHookTemplate
	KindHookPolicy             = hookspec.KindHookPolicy
	SpecFile                   = hookspec.SpecFile
	ParamString                = hookspec.ParamString
	ParamInt                   = hookspec.ParamInt
	ParamBool                  = hookspec.ParamBool
	ParamList                  = hookspec.ParamList
	ParamMap                   = hookspec.ParamMap
	ParamSecretKeyRef          = hookspec.ParamSecretKeyRef
	ParamKeyRef                = hookspec.ParamKeyRef
)

var (
	Phases         = hookspec.Phases
	DeletePolicies = hookspec.DeletePolicies
	ParamTypes     = hookspec.ParamTypes
)

// PlaceholderKeys lists every placeholder hookgen knows, for docs and
// completion: app.*, hook.*, runner.image; env.X and params.X are open.
func PlaceholderKeys() []string {
	return hookspec.PlaceholderKeys()
}

// ParseArgoCDVersion reads "3.3", "v2.14.21" or "3.3.10+abc": the major
// and minor numbers count.
func ParseArgoCDVersion(s string) (ArgoCDVersion, error) {
	return hookspec.ParseArgoCDVersion(s)
}

// Suggest returns ` (did you mean "x"?)` for the known name closest to
// got, or ` (known: a, b, c)` when nothing is close: the hint every
// "unknown name" message of hookgen ends with.
func Suggest(got string, known []string) string { return hookspec.Suggest(got, known) }

const (
	AnnotationSyncOptions          = hookspec.AnnotationSyncOptions
	HelmAnnotationHook             = hookspec.HelmAnnotationHook
	HelmAnnotationHookWeight       = hookspec.HelmAnnotationHookWeight
	HelmAnnotationHookDeletePolicy = hookspec.HelmAnnotationHookDeletePolicy
	LabelManagedBy                 = hookspec.LabelManagedBy
	LabelHook                      = hookspec.LabelHook
	AnnotationTemplate             = hookspec.AnnotationTemplate
	ManagedBy                      = hookspec.ManagedBy
)

const (
	ParametersFile  = hookspec.ParametersFile
	ParamDisable    = hookspec.ParamDisable
	ParamEnable     = hookspec.ParamEnable
	ParamHookPrefix = hookspec.ParamHookPrefix
)
