package explain

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/hookgen/hookgen/internal/emit"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/jobgen"
)

// A Timeline is a run's result as a reviewer reads it: which hooks Argo CD
// runs when, in its order, and what to know about them. Explain builds it
// from a Result, reading every object of the output as Argo CD reads it
// (ReadArgo); it adds nothing the Result does not say.
type Timeline struct {
	// Sync are the phases of every full sync: PreSync, Sync (which holds
	// the application's own resources) and PostSync.
	Sync []Stage
	// Fail is SyncFail: what runs when a sync fails.
	Fail Stage
	// Delete are the phases of the Application's deletion: PreDelete, the
	// deletion of the application's resources (Phase ""), PostDelete.
	Delete []Stage
	// Objects are the objects of the output, in its order, a List's
	// items each on its own.
	Objects []*Object
	// Notes are what a reviewer should know, in a stable order.
	Notes []Note
}

// A Stage is one phase: its waves, lowest first.
type Stage struct {
	Phase hookspec.Phase
	Waves []Wave
}

// Empty reports whether nothing runs in the stage.
func (s Stage) Empty() bool { return len(s.Waves) == 0 }

// Jobs returns the stage's Jobs in order.
func (s Stage) Jobs() []*jobgen.Job {
	var out []*jobgen.Job
	for _, w := range s.Waves {
		out = append(out, w.Jobs...)
	}
	return out
}

// A Wave is what starts together: Argo CD applies a wave, waits for it to
// be done and healthy, then goes on to the next. (Argo CD starts every
// deletion hook at once: there the waves are only what the objects say.)
type Wave struct {
	Wave int
	// Jobs are the generated hooks of the wave.
	Jobs []*jobgen.Job
	// Resources are the application's own objects of the wave: in Sync
	// the resources, in a hook phase any hook the application writes itself.
	Resources []*Object
}

// A Note is one thing a reviewer should know about the hooks.
type Note struct {
	// Key names the note for tools and tests ("selective-sync", ...).
	Key string
	// Text says it in a sentence or two.
	Text string
	// Jobs lists the Jobs it is about, if it is about some.
	Jobs []*jobgen.Job
	// Objects lists the application's own objects it is about.
	Objects []*Object
}

// Explain lays a Result out as a Timeline.
func Explain(res *emit.Result) *Timeline {
	byPhase := map[hookspec.Phase]*Stage{}
	for _, p := range hookspec.Phases {
		byPhase[p] = &Stage{Phase: p}
	}
	wave := func(s *Stage, n int) *Wave {
		for i := range s.Waves {
			if s.Waves[i].Wave == n {
				return &s.Waves[i]
			}
		}
		s.Waves = append(s.Waves, Wave{Wave: n})
		return &s.Waves[len(s.Waves)-1]
	}
	objects := streamObjects(res)
	// Generated hooks first in each wave, in the order hookgen prints
	// them, then the application's own objects.
	for _, own := range []bool{false, true} {
		for _, o := range objects {
			if (o.Job == nil) != own {
				continue
			}
			for _, p := range append(slices.Clone(o.Argo.SyncPhases), o.Argo.DeletePhases...) {
				w := wave(byPhase[p], o.Argo.Wave)
				if o.Job != nil {
					w.Jobs = append(w.Jobs, o.Job)
				} else {
					w.Resources = append(w.Resources, o)
				}
			}
		}
	}
	for _, s := range byPhase {
		slices.SortStableFunc(s.Waves, func(a, b Wave) int { return cmp.Compare(a.Wave, b.Wave) })
	}
	t := &Timeline{
		Sync:    []Stage{*byPhase[hookspec.PreSync], *byPhase[hookspec.Sync], *byPhase[hookspec.PostSync]},
		Fail:    *byPhase[hookspec.SyncFail],
		Delete:  []Stage{*byPhase[hookspec.PreDelete], {}, *byPhase[hookspec.PostDelete]},
		Objects: objects,
	}
	t.Notes = notes(t, res.ArgoCD)
	return t
}

// notes finds what a reviewer should know about a result. Each note holds
// for Argo CD as argocd-facts.md describes it.
func notes(t *Timeline, argo hookspec.ArgoCDVersion) []Note {
	var out []Note
	add := func(key, text string, of group) {
		out = append(out, Note{Key: key, Text: text, Jobs: of.jobs, Objects: of.objects})
	}
	g := classify(t, argo)
	if !g.syncHooks.Empty() {
		add("selective-sync", "Hooks run only on a full sync. Argo CD skips them on a selective sync, and self-heal is one: when Argo CD corrects drift, no hook runs. An automated sync runs them once per new revision or parameter change.", group{})
	}
	if !g.postSync.Empty() {
		text := "A failing PostSync hook fails the sync operation but leaves the Application's health as it was: watch the operation's state"
		if t.Fail.Empty() {
			text += ", or add a SyncFail hook to hear about it (this application has none)."
		} else {
			text += "; this application's SyncFail hooks run then."
		}
		add("postsync-health", text, g.postSync)
	}
	if !g.several.Empty() {
		text := "These hooks are in more than one phase of a sync, and Argo CD runs a hook once in each of its phases: they run more than once on every sync."
		if g.helmSeveral {
			text += " Argo CD reads Helm's pre-install and pre-upgrade as PreSync, post-install and post-upgrade as PostSync, and does not tell an install from an upgrade."
		}
		add("several-phases", text, g.several)
	}
	if !g.idle.Empty() {
		add("never-applied", "Argo CD never applies these: they are hooks (they carry a hook annotation) of no phase it runs, such as Helm's test and rollback hooks.", g.idle)
	}
	if !g.ttlTrap.Empty() {
		add("ttl-trap", fmt.Sprintf("These hook Jobs are deleted as soon as they finish (ttlSecondsAfterFinished under %d s): Argo CD before 3.0 may never see them finish, and the sync then waits forever (argo-cd#18884). Raise the TTL, or, if the sidecar serves Argo CD 3.0 or newer, set HOOKGEN_ARGOCD_VERSION (now %s).", jobgen.MinHookTTL, argo), g.ttlTrap)
	}
	if !g.preDelete.Empty() {
		add("predelete-version", "PreDelete hooks need Argo CD 3.3 or newer; older versions delete the application without running them.", g.preDelete)
	}
	if !g.postDelete.Empty() {
		add("postdelete-version", "PostDelete hooks need Argo CD 2.10 or newer.", g.postDelete)
	}
	if !g.postDeleteList.Empty() {
		add("postdelete-list", "Argo CD 2.14 runs a PostDelete hook only when its hook annotation is PostDelete (or Helm's post-delete) alone; these list more values, so only Argo CD 3.3 or newer runs them.", g.postDeleteList)
	}
	if !g.preDelete.Empty() || !g.postDelete.Empty() {
		add("delete-renders", "When the Application is deleted, Argo CD renders its manifests again to find these hooks: keep hookgen.yaml valid until the Application is gone, or its deletion stalls.", g.preDelete.join(g.postDelete))
	}
	if !g.postDeleteHere.Empty() {
		add("postdelete-namespace", "These PostDelete hooks run in the Application's destination namespace. If that namespace is deleted with the application, they cannot start and the deletion hangs: give them a namespace that outlives the application.", g.postDeleteHere)
	}
	for _, s := range []Stage{t.Delete[0], t.Delete[2]} {
		if len(s.Waves) > 1 {
			add("delete-waves", "Argo CD starts every deletion hook at once: sync waves do not order PreDelete or PostDelete hooks.", group{})
			break
		}
	}
	if len(g.piling) > 0 {
		add("generatename-ttl", "These hooks get a new Job on every sync (generateName) without ttlSecondsAfterFinished. Argo CD never prunes hooks, so every Job its delete policy keeps stays: set ttlSecondsAfterFinished.", group{jobs: g.piling})
	}
	if len(g.immutable) > 0 {
		add("immutable-job", fmt.Sprintf("These hooks have fixed names and no %s delete policy: a Job left from an earlier sync (a failed one, or any after a failed sync) is applied again, and Kubernetes refuses to change a Job's pod template (\"field is immutable\"). Add %s.", hookspec.BeforeHookCreation, hookspec.BeforeHookCreation), group{jobs: g.immutable})
	}
	return out
}

// noteGroups sorts a Timeline's objects by the notes that are about them.
type noteGroups struct {
	syncHooks, postSync, several, idle, ttlTrap           group
	preDelete, postDelete, postDeleteHere, postDeleteList group

	// Generated Jobs: named anew on every sync without a TTL, and with
	// fixed names but no BeforeHookCreation delete policy.
	piling, immutable []*jobgen.Job

	helmSeveral bool // one of several is a Helm hook
}

// classify sorts t's objects into the groups the notes are about.
func classify(t *Timeline, argo hookspec.ArgoCDVersion) noteGroups {
	var g noteGroups
	for _, o := range t.Objects {
		r := o.Argo
		if r.Hook && len(r.SyncPhases) > 0 {
			g.syncHooks.add(o)
		}
		if slices.Contains(r.SyncPhases, hookspec.PostSync) {
			g.postSync.add(o)
		}
		if slices.Contains(r.DeletePhases, hookspec.PreDelete) {
			g.preDelete.add(o)
		}
		if slices.Contains(r.DeletePhases, hookspec.PostDelete) {
			g.postDelete.add(o)
			if o.Namespace == "" {
				g.postDeleteHere.add(o)
			}
			if !r.PostDeleteV2 {
				g.postDeleteList.add(o)
			}
		}
		perSync := 0
		for _, p := range r.SyncPhases {
			if p != hookspec.SyncFail {
				perSync++
			}
		}
		if perSync > 1 {
			g.several.add(o)
			g.helmSeveral = g.helmSeveral || r.Helm != nil
		}
		if r.Hook && !r.Skip && !r.Runs() {
			g.idle.add(o)
		}
		if r.Hook && len(r.SyncPhases) > 0 && o.TTL != nil && *o.TTL < jobgen.MinHookTTL && !argo.AtLeast(3, 0) {
			g.ttlTrap.add(o)
		}
		if j := o.Job; j != nil {
			if j.Generate && j.TTLSecondsAfterFinished == nil {
				g.piling = append(g.piling, j)
			}
			if !j.Generate && !j.Phase.IsDelete() && !slices.Contains(j.DeletePolicy, hookspec.BeforeHookCreation) {
				g.immutable = append(g.immutable, j)
			}
		}
	}
	return g
}

// A group is what a note is about: generated hooks and the application's
// own objects.
type group struct {
	jobs    []*jobgen.Job
	objects []*Object
}

func (g *group) add(o *Object) {
	if o.Job != nil {
		if !slices.Contains(g.jobs, o.Job) {
			g.jobs = append(g.jobs, o.Job)
		}
		return
	}
	g.objects = append(g.objects, o)
}

// Empty reports whether the group holds nothing.
func (g group) Empty() bool { return len(g.jobs)+len(g.objects) == 0 }

func (g group) join(h group) group {
	return group{jobs: append(slices.Clone(g.jobs), h.jobs...), objects: append(slices.Clone(g.objects), h.objects...)}
}
