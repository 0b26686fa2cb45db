package loop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
	harness "github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/proc"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// Source is one source of an Application: a local directory that is
// copied into the fixture repository.
type Source struct {
	Dir string
	// Hookgen makes the source use the hookgen plugin; otherwise Argo CD
	// reads the directory as plain manifests.
	Hookgen bool
	// Helm holds the source's Helm settings, for a chart directory.
	Helm *v1alpha1.ApplicationSourceHelm
}

// App describes an Application to run through the loop.
type App struct {
	// Name is the Application's name (a DNS-1123 label).
	Name string
	// Namespace is the destination namespace (default Name). It is created
	// up front, as are the namespaces the rendered objects name.
	Namespace string
	// Sources: one gives spec.source, several spec.sources.
	Sources []Source
	// Env and Params are the hookgen sources' spec.source.plugin.env and
	// parameters.
	Env    map[string]string
	Params []v1alpha1.ApplicationSourcePluginParameter
	// Fail names hooks whose pods fail from the first sync on (see
	// Run.Fail).
	Fail []string
	// Pods records the Pods of the watched namespaces too.
	Pods bool
	// Timeout bounds each sync and the deletion (default 3 minutes).
	Timeout time.Duration
}

// Job is a hook Job hookgen generates, as hookgen validate lists it.
type Job struct {
	Name         string `json:"name"`
	Hook         string `json:"hook"`
	Phase        string `json:"phase"`
	Namespace    string `json:"namespace"`
	GenerateName bool   `json:"generateName"`
}

// Run drives one Application through the loop and records what happens.
type Run struct {
	Stack  *harness.Stack
	App    App
	Report Report
	// Revision is the fixture repository's latest commit.
	Revision string
	// Jobs are the hook Jobs of the hookgen sources at Revision.
	Jobs []Job
	// Problems are what hookgen validate found at Revision: the sync will
	// fail with them, as Argo CD cannot generate the manifests.
	Problems []string

	hookgen   string
	app       *v1alpha1.Application
	paths     []string
	recorders []*harness.Recorder
	stages    []string

	prepared time.Time

	mu      sync.Mutex
	cond    condenser
	flushed time.Time
	window  *[]Event
	origin  time.Time
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Prepare commits the app's sources into the stack's repository (under
// apps/<name>), asks the hookgen binary in hookgenDir (the one the sidecar
// runs) which Jobs and namespaces the app has, creates those namespaces,
// starts watching them, and creates the Application. It does not sync.
func Prepare(ctx context.Context, s *harness.Stack, hookgenDir string, app App) (*Run, error) {
	if !dnsLabel.MatchString(app.Name) || len(app.Name) > 53 {
		return nil, fmt.Errorf("loop: application name %q is not a DNS-1123 label of at most 53 characters", app.Name)
	}
	if len(app.Sources) == 0 {
		return nil, errors.New("loop: the application has no source")
	}
	if app.Namespace == "" {
		app.Namespace = app.Name
	}
	if app.Timeout == 0 {
		app.Timeout = 3 * time.Minute
	}
	r := &Run{Stack: s, App: app, hookgen: filepath.Join(hookgenDir, "hookgen"), prepared: time.Now()}
	r.Report = Report{ArgoCD: ArgoVersions[s.Argo], Application: app.Name, Namespace: app.Namespace, Syncs: []*SyncReport{}}

	// Sources into the repository, in one commit.
	used := map[string]bool{}
	for i, src := range app.Sources {
		p := "apps/" + app.Name
		if len(app.Sources) > 1 {
			base := strings.ToLower(filepath.Base(filepath.Clean(src.Dir)))
			if !dnsLabel.MatchString(base) {
				base = "source"
			}
			if used[base] {
				base = fmt.Sprintf("%s-%d", base, i)
			}
			used[base] = true
			p += "/" + base
		}
		r.paths = append(r.paths, p)
		o := Origin{Dir: src.Dir, Path: p}
		if src.Hookgen {
			o.Plugin = PluginName
		}
		r.Report.Sources = append(r.Report.Sources, o)
	}
	rev, err := s.Repo.Update("application "+app.Name, func(repo string) error {
		for i, src := range app.Sources {
			dst := filepath.Join(repo, filepath.FromSlash(r.paths[i]))
			if _, err := os.Stat(dst); err == nil {
				return fmt.Errorf("loop: %s already exists in the repository (an application named %s was prepared before)", r.paths[i], app.Name)
			}
			if err := copyDir(src.Dir, dst); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.Revision = rev
	r.app = r.application()

	// What hookgen generates: Jobs, kinds and namespaces to watch.
	kinds, namespaces, err := r.inspect(ctx)
	if err != nil {
		return nil, err
	}
	for _, ns := range namespaces {
		if err := s.API.EnsureNamespace(ctx, ns); err != nil {
			return nil, err
		}
	}
	watch := []harness.Kind{harness.Jobs}
	if app.Pods || s.Node != nil {
		watch = append(watch, harness.Pods)
	}
	var cluster []harness.Kind
	for _, k := range kinds {
		if slices.Contains(watch, k) {
			continue
		}
		p, err := s.API.CollectionPath(ctx, k.APIVersion, k.Kind, "x")
		if err != nil {
			continue // a kind the cluster does not serve: Argo CD reports it
		}
		if strings.Contains(p, "/namespaces/") {
			watch = append(watch, k)
		} else {
			cluster = append(cluster, k)
		}
	}
	for i, ns := range namespaces {
		ks := watch
		if i == 0 {
			ks = append(slices.Clone(watch), cluster...)
		}
		r.recorders = append(r.recorders, s.Recorder(ns, ks...))
	}
	if len(app.Fail) > 0 {
		if err := r.Fail(ctx, app.Fail...); err != nil {
			r.Close()
			return nil, err
		}
	}
	if err := s.CreateApp(ctx, r.app); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// application builds the Application: hookgen sources name the plugin,
// the others are plain directories.
func (r *Run) application() *v1alpha1.Application {
	var penv v1alpha1.Env
	keys := make([]string, 0, len(r.App.Env))
	for k := range r.App.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		penv = append(penv, &v1alpha1.EnvEntry{Name: k, Value: r.App.Env[k]})
	}
	var sources v1alpha1.ApplicationSources
	for i, src := range r.App.Sources {
		as := v1alpha1.ApplicationSource{RepoURL: r.Stack.Repo.URL, TargetRevision: "main", Path: r.paths[i]}
		if src.Hookgen {
			as.Plugin = &v1alpha1.ApplicationSourcePlugin{Name: PluginName, Env: penv, Parameters: r.App.Params}
		}
		as.Helm = src.Helm
		sources = append(sources, as)
	}
	app := &v1alpha1.Application{
		ObjectMeta: metav1.ObjectMeta{Name: r.App.Name, Namespace: harness.ArgoNamespace, Finalizers: []string{harness.ResourcesFinalizer}},
		Spec: v1alpha1.ApplicationSpec{
			Project:     "default",
			Destination: v1alpha1.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: r.App.Namespace},
		},
	}
	if len(sources) == 1 {
		app.Spec.Source = &sources[0]
	} else {
		app.Spec.Sources = sources
	}
	return app
}

// inspect runs the sidecar's hookgen on the committed sources with the
// environment Argo CD gives it (validate lists the Jobs, render the
// objects) and reads the plain sources' files. It returns the kinds and the
// namespaces to watch, the destination first.
func (r *Run) inspect(ctx context.Context) ([]harness.Kind, []string, error) {
	namespaces := []string{r.App.Namespace}
	var kinds []harness.Kind
	addObj := func(obj map[string]any) {
		av, _ := obj["apiVersion"].(string)
		k, _ := obj["kind"].(string)
		if av == "" || k == "" {
			return
		}
		if kk := (harness.Kind{APIVersion: av, Kind: k}); !slices.Contains(kinds, kk) {
			kinds = append(kinds, kk)
		}
		if k == "Namespace" {
			return
		}
		if ns, _ := kubeapi.Nested(obj, "metadata", "namespace").(string); ns != "" && !slices.Contains(namespaces, ns) {
			namespaces = append(namespaces, ns)
		}
	}
	r.Jobs, r.Problems = nil, nil
	for i, src := range r.App.Sources {
		dir := filepath.Join(r.Stack.Repo.Dir, filepath.FromSlash(r.paths[i]))
		var stream []byte
		if src.Hookgen {
			env, err := r.pluginEnv(i)
			if err != nil {
				return nil, nil, err
			}
			out, err := r.runHookgen(ctx, dir, env, "validate", "--argocd-env", "--output", "json", ".")
			var v struct {
				Jobs     []Job `json:"jobs"`
				Problems []struct {
					File    string `json:"file"`
					Line    int    `json:"line"`
					Hook    string `json:"hook"`
					Message string `json:"message"`
				} `json:"problems"`
			}
			if jerr := json.Unmarshal(out, &v); jerr != nil {
				return nil, nil, fmt.Errorf("loop: hookgen validate in %s: %v (output %q)", r.paths[i], errors.Join(err, jerr), out)
			}
			for j := range v.Jobs {
				if v.Jobs[j].Namespace == "" {
					v.Jobs[j].Namespace = r.App.Namespace
				}
			}
			r.Jobs = append(r.Jobs, v.Jobs...)
			for _, p := range v.Problems {
				r.Problems = append(r.Problems, fmt.Sprintf("%s/%s:%d: hook %q: %s", r.paths[i], p.File, p.Line, p.Hook, p.Message))
			}
			if err != nil {
				// Argo CD will show the same problem in the sync; watch anyway.
				continue
			}
			if stream, err = r.runHookgen(ctx, dir, env, "render", "--argocd-env", "--color", "never", "."); err != nil {
				continue
			}
		} else if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err == nil {
			if stream, err = r.helmTemplate(ctx, dir, src.Helm); err != nil {
				return nil, nil, err
			}
		} else {
			files, _ := os.ReadDir(dir)
			for _, f := range files {
				if ext := path.Ext(f.Name()); !f.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
					b, err := os.ReadFile(filepath.Join(dir, f.Name()))
					if err != nil {
						return nil, nil, err
					}
					stream = append(append(stream, "\n---\n"...), b...)
				}
			}
		}
		docs, err := kubeapi.SplitDocuments(stream)
		if err != nil {
			continue
		}
		for _, d := range docs {
			var obj map[string]any
			if json.Unmarshal(d, &obj) == nil {
				addObj(obj)
			}
		}
	}
	for _, j := range r.Jobs {
		if !slices.Contains(namespaces, j.Namespace) {
			namespaces = append(namespaces, j.Namespace)
		}
	}
	r.Report.Problems = r.Problems
	return kinds, namespaces, nil
}

// helmTemplate renders a chart source as the repo-server does, with the
// helm of the tools.
func (r *Run) helmTemplate(ctx context.Context, dir string, h *v1alpha1.ApplicationSourceHelm) ([]byte, error) {
	helm, err := tools.Lookup(tools.Helm)
	if err != nil {
		return nil, err
	}
	release := r.App.Name
	if h != nil && h.ReleaseName != "" {
		release = h.ReleaseName
	}
	cmd := exec.CommandContext(ctx, helm, "template", release, dir, "--namespace", r.App.Namespace)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.Stack.Dir}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("loop: helm template %s: %v: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Render returns what hookgen renders for the app's hookgen sources at
// Revision, with the environment Argo CD gives it.
func (r *Run) Render(ctx context.Context) ([]byte, error) {
	var out []byte
	for i, src := range r.App.Sources {
		if !src.Hookgen {
			continue
		}
		env, err := r.pluginEnv(i)
		if err != nil {
			return nil, err
		}
		dir := filepath.Join(r.Stack.Repo.Dir, filepath.FromSlash(r.paths[i]))
		b, err := r.runHookgen(ctx, dir, env, "render", "--argocd-env", "--color", "never", ".")
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// pluginEnv is the environment Argo CD's repo-server gives hookgen for
// source i at the current revision.
func (r *Run) pluginEnv(i int) ([]string, error) {
	one := r.app.DeepCopy()
	src := r.app.Spec.GetSource()
	if len(r.app.Spec.Sources) > 0 {
		src = r.app.Spec.Sources[i]
	}
	one.Spec.Sources = nil
	one.Spec.Source = &src
	return cmpserver.AppEnv(one, cmpserver.AppEnvOptions{Flavor: r.Stack.Argo.Flavor(), Revision: r.Revision})
}

func (r *Run) runHookgen(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.hookgen, args...)
	cmd.Dir = dir
	// The sidecar's environment, then what Argo CD sends for the app.
	cmd.Env = append(append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.Stack.Dir}, r.Stack.PluginEnv...), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("hookgen %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Commit writes files (paths relative to source i's directory; an empty
// content removes the file) into the repository, commits, and reads the
// app's Jobs again. The next sync uses the new revision.
func (r *Run) Commit(ctx context.Context, i int, message string, files map[string]string) (string, error) {
	rev, err := r.Stack.Repo.Update(message, func(repo string) error {
		base := filepath.Join(repo, filepath.FromSlash(r.paths[i]))
		for name, content := range files {
			p := filepath.Join(base, filepath.FromSlash(name))
			if content == "" {
				if err := os.Remove(p); err != nil {
					return err
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	r.Revision = rev
	if _, _, err := r.inspect(ctx); err != nil {
		return "", err
	}
	return rev, nil
}

// SetPlugin replaces the hookgen sources' plugin env and parameters.
func (r *Run) SetPlugin(ctx context.Context, env map[string]string, params []v1alpha1.ApplicationSourcePluginParameter) error {
	r.App.Env, r.App.Params = env, params
	r.app = r.application()
	var spec map[string]any
	if src := r.app.Spec.Source; src != nil {
		// A merge patch keeps what it does not name: give env and
		// parameters explicitly, null when empty.
		plugin := map[string]any{"name": PluginName, "env": nil, "parameters": nil}
		if len(src.Plugin.Env) > 0 {
			plugin["env"] = src.Plugin.Env
		}
		if len(src.Plugin.Parameters) > 0 {
			plugin["parameters"] = src.Plugin.Parameters
		}
		spec = map[string]any{"source": map[string]any{"plugin": plugin}}
	} else {
		spec = map[string]any{"sources": r.app.Spec.Sources} // a list: replaced whole
	}
	if _, err := r.Stack.API.MergePatch(ctx, "argoproj.io/v1alpha1", "Application", harness.ArgoNamespace, r.App.Name,
		map[string]any{"spec": spec}); err != nil {
		return err
	}
	_, _, err := r.inspect(ctx)
	return err
}

// ErrNoSuchHook is returned by Fail for a name that is neither a hook nor
// a Job of the app.
var ErrNoSuchHook = errors.New("no hook or Job")

// Fail makes kwok fail the pods of the named hooks' Jobs from now on (a
// name may also be a Job's name: migrate-presync, or a generateName
// prefix: notify-postsync-). The kwok Stage selects on the Job-name label
// of the pods, so hookgen's output is what Argo CD gets, unchanged.
func (r *Run) Fail(ctx context.Context, names ...string) error {
	byNS := map[string]*harness.JobFailure{}
	var nsOrder []string
	for _, n := range names {
		found := false
		for _, j := range r.Jobs {
			if j.Hook != n && j.Name != n {
				continue
			}
			found = true
			f := byNS[j.Namespace]
			if f == nil {
				f = &harness.JobFailure{Namespace: j.Namespace}
				byNS[j.Namespace] = f
				nsOrder = append(nsOrder, j.Namespace)
			}
			if j.GenerateName {
				f.Prefixes = append(f.Prefixes, j.Name)
			} else {
				f.Names = append(f.Names, j.Name)
			}
			r.Report.Failing = append(r.Report.Failing, j.Name)
		}
		if !found {
			known := []string{"no hook Jobs"}
			if len(r.Jobs) > 0 {
				known = nil
			}
			for _, j := range r.Jobs {
				known = append(known, j.Hook+" ("+j.Name+")")
			}
			return fmt.Errorf("%w %q; the app has: %s", ErrNoSuchHook, n, strings.Join(known, ", "))
		}
	}
	for _, ns := range nsOrder {
		name, err := r.Stack.FailJobs(ctx, *byNS[ns])
		if err != nil {
			return err
		}
		r.stages = append(r.stages, name)
	}
	return nil
}

// Unfail removes the failures Fail added (Report.Failing keeps them: it
// lists what failed during the run).
func (r *Run) Unfail(ctx context.Context) error {
	var errs []error
	for _, st := range r.stages {
		errs = append(errs, r.Stack.RemoveStage(ctx, st))
	}
	r.stages = nil
	return errors.Join(errs...)
}

// Sync runs one hook-strategy sync to Revision (the Application's
// targetRevision is main; Revision is the commit Prepare or Commit made)
// and waits for it. Its Events grow until the next sync, the deletion or Finish.
func (r *Run) Sync(ctx context.Context) (*SyncReport, error) {
	rep := &SyncReport{Sync: len(r.Report.Syncs) + 1, Revision: r.Revision, start: time.Now(), Events: []Event{}, Resources: []Resource{}}
	r.open(&rep.Events, rep.start)
	r.Report.Syncs = append(r.Report.Syncs, rep)
	// The commit itself, not "main": other runs on the stack commit too.
	o := harness.SyncOptions{Revision: r.Revision, Timeout: r.App.Timeout}
	if len(r.App.Sources) > 1 {
		for range r.App.Sources {
			o.Revisions = append(o.Revisions, r.Revision)
		}
	}
	st, err := r.Stack.Sync(ctx, r.App.Name, o)
	rep.Seconds = secs(time.Since(rep.start))
	if st != nil {
		rep.Phase, rep.Message = string(st.Phase), st.Message
		rep.StartedAt = st.StartedAt.Time
		if st.FinishedAt != nil {
			rep.FinishedAt = st.FinishedAt.Time
		}
		rep.Resources = resources(st)
	}
	if err == nil {
		// The status of a comparison made after the operation.
		app, rerr := r.Stack.Refresh(ctx, r.App.Name, time.Minute)
		if rerr != nil {
			err = rerr
		} else {
			rep.SyncStatus, rep.Health = string(app.Status.Sync.Status), string(app.Status.Health.Status)
		}
	}
	r.flush(time.Now())
	return rep, err
}

// Delete deletes the Application (cascading, with the resources
// finalizer) and waits until it is gone.
func (r *Run) Delete(ctx context.Context) (*DeleteReport, error) {
	rep := &DeleteReport{start: time.Now(), Events: []Event{}}
	r.open(&rep.Events, rep.start)
	r.Report.Delete = rep
	err := r.Stack.DeleteApp(ctx, r.App.Name, r.App.Timeout)
	rep.Seconds = secs(time.Since(rep.start))
	rep.Deleted = err == nil
	if err != nil {
		rep.Error = err.Error()
		if app, aerr := r.Stack.App(ctx, r.App.Name); aerr == nil {
			rep.Finalizers = app.Finalizers
			for _, c := range app.Status.Conditions {
				rep.Conditions = append(rep.Conditions, c.Type+": "+c.Message)
			}
		}
	}
	r.flush(time.Now())
	return rep, err
}

// Finish waits settle for late events (hooks deleted after the operation
// ended), assigns them, and stops watching. The Report is complete.
func (r *Run) Finish(settle time.Duration) *Report {
	time.Sleep(settle)
	r.flush(time.Now())
	r.Close()
	if n := r.Stack.Node; n != nil {
		r.Report.Node = "real"
		r.Report.Sink = n.Sink.Since(r.prepared)
		r.Report.Pods = podReports(r.rawEvents())
	}
	return &r.Report
}

// Close stops the watches and removes the kwok stages of Fail; the
// Application stays.
func (r *Run) Close() {
	for _, rec := range r.recorders {
		rec.Stop() // what they saw stays readable
	}
	_ = r.Unfail(context.Background())
}

// Events returns every condensed event so far, At relative to t0 (zero:
// the first event).
func (r *Run) Events(t0 time.Time) []Event {
	var c condenser
	var out []Event
	raw := r.rawEvents()
	if t0.IsZero() && len(raw) > 0 {
		t0 = raw[0].Time
	}
	for _, e := range raw {
		out = c.add(out, e, t0)
	}
	return out
}

// WaitEvent waits until an event matching pred has been seen (Events) or
// ctx ends.
func (r *Run) WaitEvent(ctx context.Context, pred func(Event) bool) error {
	return proc.Poll(ctx, 100*time.Millisecond, func() (bool, error) {
		return slices.ContainsFunc(r.Events(time.Time{}), pred), nil
	})
}

// open starts a new event window at t, closing the previous one.
func (r *Run) open(dst *[]Event, t time.Time) {
	r.flush(t)
	r.mu.Lock()
	r.window, r.origin = dst, t
	r.mu.Unlock()
}

// flush moves the raw events before t into the open window.
func (r *Run) flush(t time.Time) {
	all := r.rawEvents()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range all {
		if !e.Time.After(r.flushed) || !e.Time.Before(t) {
			continue
		}
		if r.window != nil {
			*r.window = r.cond.add(*r.window, e, r.origin)
		} else {
			r.cond.add(nil, e, t) // before the first sync: state only
		}
	}
	if t.After(r.flushed) {
		r.flushed = t
	}
}

func (r *Run) rawEvents() []harness.Event {
	var all []harness.Event
	for _, rec := range r.recorders {
		all = append(all, rec.Events()...)
	}
	sortEvents(all)
	return all
}

func secs(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

// copyDir copies a directory tree (regular files and symlinks; not .git).
func copyDir(src, dst string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("loop: %s is not a directory", src)
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o644)
		}
		return nil
	})
}
