package hookspec

import (
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The API group and version of hookgen's own kinds.
const (
	APIVersion       = "hookgen.dev/v1alpha1"
	KindHookSet      = "HookSet"
	KindHookTemplate = "HookTemplate"
	KindHookPolicy   = "HookPolicy"

	// SpecFile is the name of the file that declares hooks.
	SpecFile = "hookgen.yaml"
)

// HookSet is the content of a hookgen.yaml file.
type HookSet struct {
	APIVersion string `json:"apiVersion" jsonschema:"enum=hookgen.dev/v1alpha1"`
	Kind       string `json:"kind" jsonschema:"enum=HookSet"`
	// Defaults are merged under every hook of the set (and of nearer sets).
	Defaults *Defaults `json:"defaults,omitempty"`
	// Hooks declares one hook per entry.
	Hooks []Hook `json:"hooks,omitempty"`
	// Manifests selects the application's own files that are printed with the hooks.
	Manifests *Manifests `json:"manifests,omitempty"`
	// Annotate sets Argo CD's hook, delete policy, wave and sync option
	// annotations on the application's own resources, rule by rule.
	Annotate []AnnotateRule `json:"annotate,omitempty"`
	// ConvertHelmHooks turns the Helm hook annotations of every resource
	// of the application into Argo CD's.
	ConvertHelmHooks *bool `json:"convertHelmHooks,omitempty"`

	Src Source `json:"-"` // where it was declared
}

// AnnotateRule sets Argo CD's annotations on the resources it matches:
// a hand-written Job becomes a hook, CRDs and Namespaces get an early
// wave, a vendored chart's Helm hooks become Argo CD hooks.
type AnnotateRule struct {
	// Name names the rule in messages; by default "annotate[i]".
	Name string `json:"name,omitempty"`
	// Match selects the resources; every field it sets must match.
	Match *ResourceMatch `json:"match"`
	// Phase makes the resources hooks of these phases
	// (argocd.argoproj.io/hook), or Skip.
	Phase StringList `json:"phase,omitempty"`
	// DeletePolicy is one or more of HookSucceeded, HookFailed, BeforeHookCreation.
	DeletePolicy StringList `json:"deletePolicy,omitempty"`
	// Wave is the argocd.argoproj.io/sync-wave.
	Wave *int32 `json:"wave,omitempty"`
	// SyncOptions are argocd.argoproj.io/sync-options ("Replace=true").
	SyncOptions StringList `json:"syncOptions,omitempty"`
	// ConvertHelmHooks turns the matched resources' Helm hook annotations
	// into Argo CD's before the rule's own settings apply.
	ConvertHelmHooks *bool `json:"convertHelmHooks,omitempty"`

	Src Source `json:"-"` // where it was declared
}

// ResourceMatch selects resources. Kind, apiVersion and namespace match
// exactly, name is a glob ("*-migrate"), labels must all be present with
// these values. At least one of kind, name and labels is required.
type ResourceMatch struct {
	APIVersion string            `json:"apiVersion,omitempty"`
	Kind       string            `json:"kind,omitempty"`
	Name       string            `json:"name,omitempty"`
	Namespace  string            `json:"namespace,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
}

// Knobs are the Job settings a hook, the set's defaults and policy share.
type Knobs struct {
	// DeletePolicy is one or more of HookSucceeded, HookFailed, BeforeHookCreation.
	DeletePolicy StringList `json:"deletePolicy,omitempty"`
	// Namespace the Job is created in; default: the Application's destination namespace.
	Namespace *string `json:"namespace,omitempty"`
	// GenerateName asks for a fresh Job every sync instead of a fixed name.
	GenerateName *bool `json:"generateName,omitempty"`

	ActiveDeadlineSeconds   *int64  `json:"activeDeadlineSeconds,omitempty" jsonschema:"minimum=1"`
	BackoffLimit            *int32  `json:"backoffLimit,omitempty" jsonschema:"minimum=0"`
	TTLSecondsAfterFinished *int32  `json:"ttlSecondsAfterFinished,omitempty" jsonschema:"minimum=0"`
	ServiceAccountName      *string `json:"serviceAccountName,omitempty"`

	Resources      *Resources        `json:"resources,omitempty"`
	NodeSelector   map[string]string `json:"nodeSelector,omitempty"`
	Tolerations    []Toleration      `json:"tolerations,omitempty"`
	PodLabels      map[string]string `json:"podLabels,omitempty"`
	PodAnnotations map[string]string `json:"podAnnotations,omitempty"`
	// Env is added to every container of the Job.
	Env []EnvVar `json:"env,omitempty"`
	// Hardening turns off single parts of the hardened pod defaults and
	// chooses the user and groups the pod runs as.
	Hardening *Hardening `json:"hardening,omitempty"`

	// ImagePullPolicy is set on every container of the Job.
	ImagePullPolicy *string `json:"imagePullPolicy,omitempty" jsonschema:"enum=Always,enum=IfNotPresent,enum=Never"`
	// ImagePullSecrets are added to the pod's imagePullSecrets ([{name: regcred}]).
	ImagePullSecrets []LocalObjectReference `json:"imagePullSecrets,omitempty"`
	// Affinity is the pod's affinity (nodeAffinity, podAffinity, podAntiAffinity).
	Affinity *yaml.Node `json:"affinity,omitempty"`
	// PriorityClassName is the pod's priority class.
	PriorityClassName *string `json:"priorityClassName,omitempty"`
	// InitContainers run before the template's containers, hardened like them.
	InitContainers []*yaml.Node `json:"initContainers,omitempty"`
	// ExtraContainers run beside the template's containers, hardened like them.
	ExtraContainers []*yaml.Node `json:"extraContainers,omitempty"`
	// Labels are added to the Job's own metadata.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations are added to the Job's own metadata; Argo CD's hook
	// annotations have fields of their own (phase, deletePolicy, wave, syncOptions).
	Annotations map[string]string `json:"annotations,omitempty"`
	// SyncOptions are the hook's argocd.argoproj.io/sync-options ("Prune=false").
	SyncOptions StringList `json:"syncOptions,omitempty"`
	// RestartPolicy is the pod's: Never (default) or OnFailure, which
	// restarts a failed container in place; backoffLimit then counts
	// container restarts.
	RestartPolicy *string `json:"restartPolicy,omitempty" jsonschema:"enum=Never,enum=OnFailure"`
	// WritablePaths get an emptyDir each, mounted in every container, on
	// the otherwise read-only root (/tmp is always writable).
	WritablePaths []string `json:"writablePaths,omitempty"`
}

// LocalObjectReference names an object in the Job's namespace.
type LocalObjectReference struct {
	Name string `json:"name"`
}

// Defaults are the knobs a HookSet applies under all its hooks.
type Defaults struct {
	Knobs `json:",inline"`

	Src Source `json:"-"` // where it was declared
}

// Hook is one declared hook.
type Hook struct {
	// Name is a DNS-1123 label, unique in the set; Jobs are named <name>-<phase>.
	Name string `json:"name"`
	// Uses names a template: built-in, platform or repository.
	Uses string `json:"uses,omitempty"`
	// Job is a raw batch/v1 JobSpec, instead of a template.
	Job *yaml.Node `json:"job,omitempty"`
	// Phase is one phase or a list; one Job is generated per phase.
	Phase StringList `json:"phase,omitempty"`
	// Wave is the argocd.argoproj.io/sync-wave.
	Wave *int32 `json:"wave,omitempty"`
	// Enabled false removes the hook (a nearer hookgen.yaml may disable a farther one's hook).
	Enabled *bool `json:"enabled,omitempty"`
	// With holds the template's parameters.
	With *yaml.Node `json:"with,omitempty"`

	Knobs `json:",inline"`

	Src Source `json:"-"` // where it was declared
}

// Manifests selects the application's own files, as an Application's
// directory settings do.
type Manifests struct {
	// Recurse reads subdirectories too.
	Recurse bool `json:"recurse,omitempty"`
	// Include keeps only files whose path from the app directory matches
	// one of these globs (Argo CD's: `*` matches any text, '/' included).
	Include StringList `json:"include,omitempty"`
	// Exclude drops files whose path from the app directory matches one
	// of these globs.
	Exclude StringList `json:"exclude,omitempty"`
}

// Resources are a container's resource requests and limits.
type Resources struct {
	Limits   map[string]Quantity `json:"limits,omitempty"`
	Requests map[string]Quantity `json:"requests,omitempty"`
}

// Toleration is a pod toleration.
type Toleration struct {
	Key               string `json:"key,omitempty"`
	Operator          string `json:"operator,omitempty" jsonschema:"enum=Exists,enum=Equal"`
	Value             string `json:"value,omitempty"`
	Effect            string `json:"effect,omitempty" jsonschema:"enum=NoSchedule,enum=PreferNoSchedule,enum=NoExecute"`
	TolerationSeconds *int64 `json:"tolerationSeconds,omitempty"`
}

// EnvVar is a container environment variable: a literal value or a reference.
type EnvVar struct {
	Name      string     `json:"name"`
	Value     *string    `json:"value,omitempty"`
	ValueFrom *yaml.Node `json:"valueFrom,omitempty"`

	Src Source `json:"-"` // where it was declared
}

// Hardening lists the hardened pod defaults; each is on unless set to the
// Kubernetes value that turns it off.
type Hardening struct {
	// RunAsNonRoot: pod securityContext.runAsNonRoot (default true).
	RunAsNonRoot *bool `json:"runAsNonRoot,omitempty"`
	// SeccompProfile: RuntimeDefault (default) or Unconfined.
	SeccompProfile *string `json:"seccompProfile,omitempty" jsonschema:"enum=RuntimeDefault,enum=Unconfined"`
	// AllowPrivilegeEscalation: container setting (default false).
	AllowPrivilegeEscalation *bool `json:"allowPrivilegeEscalation,omitempty"`
	// DropAllCapabilities: drop ALL capabilities in every container (default true).
	DropAllCapabilities *bool `json:"dropAllCapabilities,omitempty"`
	// ReadOnlyRootFilesystem: container setting (default true; /tmp stays writable).
	ReadOnlyRootFilesystem *bool `json:"readOnlyRootFilesystem,omitempty"`
	// AutomountServiceAccountToken: default false, or true when a service account is named.
	AutomountServiceAccountToken *bool `json:"automountServiceAccountToken,omitempty"`
	// RunAsUser is the pod's user ID (default 65532): images whose USER is
	// root or a name start as this non-root user.
	RunAsUser *int64 `json:"runAsUser,omitempty" jsonschema:"minimum=0"`
	// RunAsGroup is the pod's primary group ID (default 65532).
	RunAsGroup *int64 `json:"runAsGroup,omitempty" jsonschema:"minimum=0"`
	// FSGroup is the pod's fsGroup: volumes that support it (PVCs) become
	// writable by this group. Default: none.
	FSGroup *int64 `json:"fsGroup,omitempty" jsonschema:"minimum=0"`
}

// ObjectMeta is the metadata of hookgen's own kinds.
type ObjectMeta struct {
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// HookTemplate turns a hook declaration into a Job.
type HookTemplate struct {
	APIVersion string       `json:"apiVersion" jsonschema:"enum=hookgen.dev/v1alpha1"`
	Kind       string       `json:"kind" jsonschema:"enum=HookTemplate"`
	Metadata   ObjectMeta   `json:"metadata"`
	Spec       TemplateSpec `json:"spec"`

	Src        Source `json:"-"` // where it was declared
	OriginKind string `json:"-"` // "built-in", "platform" or "repository"
	Broken     bool   `json:"-"` // has problems (reported once, where it is defined)
}

// TemplateSpec is a HookTemplate's body.
type TemplateSpec struct {
	Description string `json:"description,omitempty"`
	// Version of the template, for platform catalogs.
	Version string `json:"version,omitempty"`
	// Phases lists the phases the template may run in; empty means all.
	Phases StringList `json:"phases,omitempty"`
	// Defaults apply when neither the hook nor its HookSet sets them.
	Defaults *TemplateDefaults `json:"defaults,omitempty"`
	// Params are the template's typed parameters, set by a hook's `with`.
	Params []Param `json:"params,omitempty"`
	// Job is a batch/v1 JobSpec with $(...) placeholders.
	Job *yaml.Node `json:"job"`

	Src Source `json:"-"` // where it was declared
}

// TemplateDefaults are a template's defaults for a hook's fields.
type TemplateDefaults struct {
	Phase                   StringList `json:"phase,omitempty"`
	Wave                    *int32     `json:"wave,omitempty"`
	DeletePolicy            StringList `json:"deletePolicy,omitempty"`
	GenerateName            *bool      `json:"generateName,omitempty"`
	ActiveDeadlineSeconds   *int64     `json:"activeDeadlineSeconds,omitempty"`
	BackoffLimit            *int32     `json:"backoffLimit,omitempty"`
	TTLSecondsAfterFinished *int32     `json:"ttlSecondsAfterFinished,omitempty"`

	Src Source `json:"-"` // where it was declared
}

// Param is one template parameter.
type Param struct {
	Name        string     `json:"name"`
	Type        ParamType  `json:"type,omitempty"`
	Required    bool       `json:"required,omitempty"`
	Default     *yaml.Node `json:"default,omitempty"`
	Description string     `json:"description,omitempty"`

	Src Source `json:"-"` // where it was declared
}

// ParamType is the type of a template parameter.
type ParamType string

// Parameter types.
const (
	ParamString       ParamType = "string"
	ParamInt          ParamType = "int"
	ParamBool         ParamType = "bool"
	ParamList         ParamType = "list"
	ParamMap          ParamType = "map"
	ParamSecretKeyRef ParamType = "secretKeyRef"
	// ParamKeyRef is a key of a ConfigMap or of a Secret, {configMap:
	// NAME, key: KEY} or {secret: NAME, key: KEY}: what a pod mounts as
	// a file, such as a CA bundle.
	ParamKeyRef ParamType = "keyRef"
)

// ParamTypes lists every parameter type.
var ParamTypes = []ParamType{ParamString, ParamInt, ParamBool, ParamList, ParamMap, ParamSecretKeyRef, ParamKeyRef}

// IsHookgenKind reports whether apiVersion is one of hookgen's own
// (hookgen.dev/...): those documents configure hookgen and are never
// output.
func IsHookgenKind(apiVersion string) bool {
	return strings.HasPrefix(apiVersion, "hookgen.dev/")
}
