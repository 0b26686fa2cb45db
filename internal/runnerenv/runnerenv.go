package runnerenv

// The variables, one per piece of context.
const (
	AppName           = "HOOKGEN_APP_NAME"            // the Application's name (<namespace>_<name> outside Argo CD's namespace)
	AppNamespace      = "HOOKGEN_APP_NAMESPACE"       // the destination namespace
	AppProject        = "HOOKGEN_APP_PROJECT"         // the Argo CD project
	AppRevision       = "HOOKGEN_APP_REVISION"        // the revision synced
	AppRevisionShort  = "HOOKGEN_APP_REVISION_SHORT"  // its first characters
	AppRepoURL        = "HOOKGEN_APP_REPO_URL"        // the source's repository
	AppPath           = "HOOKGEN_APP_PATH"            // the source's path
	AppTargetRevision = "HOOKGEN_APP_TARGET_REVISION" // the source's target revision
	HookName          = "HOOKGEN_HOOK_NAME"           // the hook's name in hookgen.yaml
	HookPhase         = "HOOKGEN_HOOK_PHASE"          // its phase: PreSync ... PostDelete
	HookOutcome       = "HOOKGEN_HOOK_OUTCOME"        // what the phase means: started ... deleted
	ArgoCDURL         = "HOOKGEN_ARGOCD_URL"          // Argo CD's base URL, for links
)

// Names lists every variable, in the order a Job sets them.
var Names = []string{
	AppName, AppNamespace, AppProject, AppRevision, AppRevisionShort, AppRepoURL, AppPath, AppTargetRevision,
	HookName, HookPhase, HookOutcome, ArgoCDURL,
}
