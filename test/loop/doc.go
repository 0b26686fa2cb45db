// Package loop runs hookgen through Argo CD's whole sync loop on one
// machine and checks what Argo CD does with its hooks.
//
// The stack (package internal/loop) is etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, kwok as the kubelet, redis,
// argocd-repo-server with argocd-cmp-server as its sidecar, and
// argocd-application-controller, of Argo CD v2.14.21 or v3.3.10. The
// sidecar runs the repository's own plugin.yaml with a freshly built
// hookgen first on its PATH; Applications name the plugin hookgen-v1.
// kwok does not run containers: every pod of a Job completes at once,
// unless a kwok Stage selecting on the Job-name label of the pod fails it
// (Run.Fail), so hookgen's output reaches Argo CD unchanged.
//
// Prepare copies an application directory into the stack's git
// repository (read through its file:// URL), creates the Application and
// watches its namespaces; Run.Sync runs a hook-strategy sync and
// Run.Delete deletes the Application; the Report holds, per sync, the
// operation's phase and message, status.operationState.syncResult.resources
// and the ordered events a watch saw. Command is cmd/hookgen-loop, which
// prints that Report as JSON for any application directory.
//
// The tests (make test-loop) bring up one stack per Argo CD version and
// run every scenario on it in parallel, each with its own Application and
// namespaces, from the small applications in testdata/:
//
//	success         PreSync hooks wave by wave before any object of the app,
//	                PostSync once the Deployment is healthy, no SyncFail
//	failure         a failing PreSync migration: the app's objects stay as
//	                they were, no PostSync, SyncFail runs, the sync fails
//	repeated        fixed names are recreated each sync (new UID, old one
//	                deleted first); generateName hooks get Argo CD's
//	                <prefix><rev7>-<phase>-<unix> names
//	deletion        on 3.3, PreDelete runs before any object of the app
//	                goes; PostDelete runs after they are gone, in a
//	                namespace that outlives the app; 2.14 does not run
//	                PreDelete
//	predelete-failure
//	                3.3 only: a failing PreDelete hook holds the deletion
//	                (the app's objects stay; Argo CD runs the hook again),
//	                and once it succeeds the deletion completes
//	multi-source    plain manifests in one source, hooks in a hooks-only
//	                hookgen source of the same Application
//	params          plugin env and parameters (disable, enable,
//	                hook.<name>, $(env.X)) change the hooks
//	generate-error  hookgen refuses the app: the sync ends in Error with
//	                hookgen's file:line message, nothing is applied
//	command         cmd/hookgen-loop's code on the v3 stack
package loop
