package loop

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hookgen/hookgen/test/internal/proc"
)

const appAPIVersion = "argoproj.io/v1alpha1"

// ResourcesFinalizer makes deleting an Application delete its resources
// (and run PostDelete hooks) first. NewApp sets it.
const ResourcesFinalizer = "resources-finalizer.argocd.argoproj.io"

// NewApp returns an Application in the argocd namespace that uses the
// stack's git repository (path, branch main), the plugin named
// pluginName (the sidecar's name, "" for discovery) with the given plugin
// env, and deploys into destNamespace of the local cluster. It carries the
// resources finalizer, so DeleteApp cascades.
func (s *Stack) NewApp(name, path, pluginName, destNamespace string, env map[string]string) *v1alpha1.Application {
	var penv v1alpha1.Env
	for k, v := range env {
		penv = append(penv, &v1alpha1.EnvEntry{Name: k, Value: v})
	}
	return &v1alpha1.Application{
		TypeMeta:   metav1.TypeMeta{APIVersion: appAPIVersion, Kind: "Application"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ArgoNamespace, Finalizers: []string{ResourcesFinalizer}},
		Spec: v1alpha1.ApplicationSpec{
			Project: "default",
			Source: &v1alpha1.ApplicationSource{
				RepoURL:        s.Repo.URL,
				TargetRevision: "main",
				Path:           path,
				Plugin:         &v1alpha1.ApplicationSourcePlugin{Name: pluginName, Env: penv},
			},
			Destination: v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: destNamespace},
		},
	}
}

// CreateApp creates the Application (in its namespace, default argocd).
func (s *Stack) CreateApp(ctx context.Context, app *v1alpha1.Application) error {
	app.APIVersion, app.Kind = appAPIVersion, "Application"
	if app.Namespace == "" {
		app.Namespace = ArgoNamespace
	}
	b, err := json.Marshal(app)
	if err != nil {
		return err
	}
	p, err := s.API.CollectionPath(ctx, appAPIVersion, "Application", app.Namespace)
	if err != nil {
		return err
	}
	r, err := s.API.Do(ctx, http.MethodPost, p, b, "application/json")
	if err != nil {
		return err
	}
	if !r.OK() {
		return fmt.Errorf("loop: create application %s: %s", app.Name, r)
	}
	return nil
}

// App reads an Application from the argocd namespace.
func (s *Stack) App(ctx context.Context, name string) (*v1alpha1.Application, error) {
	obj, found, err := s.API.GetObject(ctx, appAPIVersion, "Application", ArgoNamespace, name)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("loop: application %s not found", name)
	}
	b, _ := json.Marshal(obj)
	var app v1alpha1.Application
	if err := json.Unmarshal(b, &app); err != nil {
		return nil, err
	}
	return &app, nil
}

// SetPluginEnv replaces spec.source.plugin.env of an Application.
func (s *Stack) SetPluginEnv(ctx context.Context, name string, env map[string]string) error {
	var penv []map[string]string
	for k, v := range env {
		penv = append(penv, map[string]string{"name": k, "value": v})
	}
	_, err := s.API.MergePatch(ctx, appAPIVersion, "Application", ArgoNamespace, name,
		map[string]any{"spec": map[string]any{"source": map[string]any{"plugin": map[string]any{"env": penv}}}})
	return err
}

// SyncOptions tunes Sync.
type SyncOptions struct {
	// Revision to sync (default "main").
	Revision string
	// Revisions, one per source, for an Application with several sources
	// (spec.sources); when set, Revision is not sent.
	Revisions []string
	// Prune deletes resources that are no longer generated.
	Prune bool
	// SyncOptions are Argo CD sync options such as "ServerSideApply=true".
	SyncOptions []string
	// Timeout for the operation (default 90s).
	Timeout time.Duration
}

// Sync starts a hook-strategy sync of the Application the way the Argo CD
// API server does (operation set, status.operationState cleared in the same
// patch; without the clear a re-sync inherits the previous syncResult and
// skips hooks) and waits until the operation has finished. It returns the
// final operation state; its Phase is Succeeded, Failed or Error.
func (s *Stack) Sync(ctx context.Context, name string, o SyncOptions) (*v1alpha1.OperationState, error) {
	if o.Revision == "" {
		o.Revision = "main"
	}
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	sync := map[string]any{
		"prune":        o.Prune,
		"syncStrategy": map[string]any{"hook": map[string]any{}},
	}
	if len(o.Revisions) > 0 {
		sync["revisions"] = o.Revisions
	} else {
		sync["revision"] = o.Revision
	}
	if len(o.SyncOptions) > 0 {
		sync["syncOptions"] = o.SyncOptions
	}
	patch := map[string]any{
		"operation": map[string]any{"initiatedBy": map[string]any{"username": "hookgen-test"}, "sync": sync},
		"status":    map[string]any{"operationState": nil},
	}
	if _, err := s.API.MergePatch(ctx, appAPIVersion, "Application", ArgoNamespace, name, patch); err != nil {
		return nil, err
	}
	return s.WaitOperation(ctx, name, o.Timeout)
}

// WaitOperation waits until the Application has no pending operation and a
// finished operation state.
func (s *Stack) WaitOperation(ctx context.Context, name string, timeout time.Duration) (*v1alpha1.OperationState, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last *v1alpha1.Application
	err := proc.Poll(ctx, 200*time.Millisecond, func() (bool, error) {
		app, err := s.App(ctx, name)
		if err != nil {
			return false, err
		}
		last = app
		st := app.Status.OperationState
		return app.Operation == nil && st != nil && st.Phase.Completed(), nil
	})
	if err == nil {
		return last.Status.OperationState, nil
	}
	if last != nil && last.Status.OperationState != nil {
		return last.Status.OperationState, fmt.Errorf("loop: sync of %s not finished: %w (phase %s: %s)", name, ctx.Err(),
			last.Status.OperationState.Phase, last.Status.OperationState.Message)
	}
	return nil, fmt.Errorf("loop: sync of %s not finished: %w", name, err)
}

// DeleteApp deletes the Application (as kubectl delete does; with the
// resources finalizer Argo CD deletes the app's resources first) and waits
// until it is gone.
func (s *Stack) DeleteApp(ctx context.Context, name string, timeout time.Duration) error {
	if err := s.API.Delete(ctx, appAPIVersion, "Application", ArgoNamespace, name); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := proc.Poll(ctx, 200*time.Millisecond, func() (bool, error) {
		_, found, err := s.API.GetObject(ctx, appAPIVersion, "Application", ArgoNamespace, name)
		return err == nil && !found, err
	})
	if err != nil {
		return fmt.Errorf("loop: application %s not deleted: %w", name, err)
	}
	return nil
}

// Refresh asks the application controller for a normal refresh (the
// argocd.argoproj.io/refresh annotation) and waits until it has removed
// the annotation, which it does in the same patch as the status of that
// comparison; it returns the refreshed Application. Right after an
// operation the status may still be the comparison from before it (the
// one-second timestamps cannot tell); after Refresh it is not.
func (s *Stack) Refresh(ctx context.Context, name string, timeout time.Duration) (*v1alpha1.Application, error) {
	const key = "argocd.argoproj.io/refresh"
	if _, err := s.API.MergePatch(ctx, appAPIVersion, "Application", ArgoNamespace, name,
		map[string]any{"metadata": map[string]any{"annotations": map[string]any{key: "normal"}}}); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var app *v1alpha1.Application
	err := proc.Poll(ctx, 100*time.Millisecond, func() (bool, error) {
		a, err := s.App(ctx, name)
		if err != nil {
			return false, err
		}
		_, pending := a.Annotations[key]
		app = a
		return !pending, nil
	})
	if err != nil {
		return nil, fmt.Errorf("loop: refresh of %s not done: %w", name, err)
	}
	return app, nil
}
