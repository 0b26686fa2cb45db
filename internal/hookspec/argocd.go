package hookspec

// Argo CD names hookgen writes. They mirror Argo CD's own constants (the
// test module checks that they are equal) so the product does not import
// Argo CD.
const (
	AnnotationHook             = "argocd.argoproj.io/hook"
	AnnotationHookDeletePolicy = "argocd.argoproj.io/hook-delete-policy"
	AnnotationSyncWave         = "argocd.argoproj.io/sync-wave"
)

// Phase is an Argo CD hook type.
type Phase string

// Hook phases, in the order Argo CD runs them: the sync phases, SyncFail
// when a sync fails, then the deletion phases when the Application is
// deleted.
const (
	PreSync    Phase = "PreSync"
	Sync       Phase = "Sync"
	PostSync   Phase = "PostSync"
	SyncFail   Phase = "SyncFail"
	PreDelete  Phase = "PreDelete"
	PostDelete Phase = "PostDelete"
)

// Phases lists every phase in Argo CD's order.
var Phases = []Phase{PreSync, Sync, PostSync, SyncFail, PreDelete, PostDelete}

// Order is the phase's rank in Phases.
func (p Phase) Order() int {
	for i, q := range Phases {
		if p == q {
			return i
		}
	}
	return len(Phases)
}

// IsDelete reports whether the phase runs on Application deletion. Argo CD
// finds those hooks by name, so they need fixed names.
func (p Phase) IsDelete() bool { return p == PreDelete || p == PostDelete }

// Outcome is what $(hook.outcome) says in the phase: a PostSync hook runs
// after a sync succeeded, a SyncFail hook after it failed.
func (p Phase) Outcome() string {
	switch p {
	case PreSync:
		return "started"
	case Sync:
		return "syncing"
	case PostSync:
		return "succeeded"
	case SyncFail:
		return "failed"
	case PreDelete:
		return "deleting"
	case PostDelete:
		return "deleted"
	}
	return ""
}

// DeletePolicy is an Argo CD hook delete policy.
type DeletePolicy string

// Delete policies.
const (
	HookSucceeded      DeletePolicy = "HookSucceeded"
	HookFailed         DeletePolicy = "HookFailed"
	BeforeHookCreation DeletePolicy = "BeforeHookCreation"
)

// DeletePolicies lists every delete policy.
var DeletePolicies = []DeletePolicy{HookSucceeded, HookFailed, BeforeHookCreation}

// ParsePhase returns the phase s names, if it names one.
func ParsePhase(s string) (Phase, bool) {
	for _, p := range Phases {
		if string(p) == s {
			return p, true
		}
	}
	return "", false
}

// ParseDeletePolicy returns the delete policy s names, if it names one.
func ParseDeletePolicy(s string) (DeletePolicy, bool) {
	for _, p := range DeletePolicies {
		if string(p) == s {
			return p, true
		}
	}
	return "", false
}

// More Argo CD and Helm annotations.
const (
	AnnotationSyncOptions = "argocd.argoproj.io/sync-options"

	HelmAnnotationHook             = "helm.sh/hook"
	HelmAnnotationHookWeight       = "helm.sh/hook-weight"
	HelmAnnotationHookDeletePolicy = "helm.sh/hook-delete-policy"
)

// Labels and annotations hookgen writes on every Job.
const (
	LabelManagedBy     = "app.kubernetes.io/managed-by"
	LabelHook          = "hookgen.dev/hook"
	AnnotationTemplate = "hookgen.dev/template"
	ManagedBy          = "hookgen"
)
