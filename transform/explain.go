package transform

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A Timeline is a run's result as a reviewer reads it: which hooks Argo CD
// runs when, in its order, and what to know about them. Explain builds it
// from a Result; it adds nothing the Result does not say.
type Timeline struct {
	// Sync are the phases of every full sync: PreSync, Sync (which holds
	// the application's own resources) and PostSync.
	Sync []Stage
	// Fail is SyncFail: what runs when a sync fails.
	Fail Stage
	// Delete are the phases of the Application's deletion: PreDelete, the
	// deletion of the application's resources (Phase ""), PostDelete.
	Delete []Stage
	// Notes are what a reviewer should know, in a stable order.
	Notes []Note
}

// A Stage is one phase: its waves, lowest first.
type Stage struct {
	Phase Phase
	Waves []Wave
}

// Empty reports whether nothing runs in the stage.
func (s Stage) Empty() bool { return len(s.Waves) == 0 }

// Jobs returns the stage's Jobs in order.
func (s Stage) Jobs() []*Job {
	var out []*Job
	for _, w := range s.Waves {
		out = append(out, w.Jobs...)
	}
	return out
}

// A Wave is what starts together: Argo CD applies a wave, waits for it to
// be done and healthy, then goes on to the next.
type Wave struct {
	Wave int32
	// Jobs are the generated hooks of the wave.
	Jobs []*Job
	// Resources are the application's own resources of the wave: in Sync
	// the resources, in a hook phase any hook the application writes itself.
	Resources []*Manifest
}

// A Note is one thing a reviewer should know about the hooks.
type Note struct {
	// Key names the note for tools and tests ("selective-sync", ...).
	Key string
	// Text says it in a sentence or two.
	Text string
	// Jobs lists the Jobs it is about, if it is about some.
	Jobs []*Job
}

// Explain lays a Result out as a Timeline.
func Explain(res *Result) *Timeline {
	byPhase := map[Phase]*Stage{}
	for _, p := range Phases {
		byPhase[p] = &Stage{Phase: p}
	}
	wave := func(s *Stage, n int32) *Wave {
		for i := range s.Waves {
			if s.Waves[i].Wave == n {
				return &s.Waves[i]
			}
		}
		s.Waves = append(s.Waves, Wave{Wave: n})
		return &s.Waves[len(s.Waves)-1]
	}
	for _, j := range res.Jobs {
		w := wave(byPhase[j.Phase], j.Wave)
		w.Jobs = append(w.Jobs, j)
	}
	for _, m := range res.Manifests {
		phases, skip := manifestPhases(m)
		if skip {
			continue
		}
		for _, p := range phases {
			w := wave(byPhase[p], manifestWave(m))
			w.Resources = append(w.Resources, m)
		}
	}
	for _, s := range byPhase {
		slices.SortFunc(s.Waves, func(a, b Wave) int { return cmp.Compare(a.Wave, b.Wave) })
	}
	t := &Timeline{
		Sync:   []Stage{*byPhase[PreSync], *byPhase[Sync], *byPhase[PostSync]},
		Fail:   *byPhase[SyncFail],
		Delete: []Stage{*byPhase[PreDelete], {}, *byPhase[PostDelete]},
	}
	t.Notes = notes(res, t)
	return t
}

// manifestPhases returns the hook phases of one of the application's own
// resources (Sync for an ordinary resource), and whether Argo CD skips it.
func manifestPhases(m *Manifest) (phases []Phase, skip bool) {
	ann := mapPath(m.Node(), "metadata", "annotations")
	v := mapGet(ann, AnnotationHook)
	if v == nil || strings.TrimSpace(v.Value) == "" {
		return []Phase{Sync}, false
	}
	var names []string
	for _, s := range strings.Split(v.Value, ",") {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	if len(names) == 1 && names[0] == "Skip" {
		return nil, true
	}
	for _, s := range names {
		if p, ok := parsePhase(s); ok {
			phases = append(phases, p)
		}
	}
	return phases, false
}

// manifestWave reads a resource's sync wave as Argo CD does: the
// annotation when it is an integer, else 0.
func manifestWave(m *Manifest) int32 {
	v := mapGet(mapPath(m.Node(), "metadata", "annotations"), AnnotationSyncWave)
	if v == nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v.Value), 10, 32)
	if err != nil {
		return 0
	}
	return int32(n)
}

// notes finds what a reviewer should know about a result. Each note holds
// for Argo CD as argocd-facts.md describes it.
func notes(res *Result, t *Timeline) []Note {
	var out []Note
	add := func(key, text string, jobs []*Job) {
		out = append(out, Note{Key: key, Text: text, Jobs: jobs})
	}
	var syncJobs, postSync, preDelete, postDelete, postDeleteHere, piling, immutable []*Job
	for _, j := range res.Jobs {
		switch j.Phase {
		case PreSync, Sync, PostSync, SyncFail:
			syncJobs = append(syncJobs, j)
		case PreDelete:
			preDelete = append(preDelete, j)
		case PostDelete:
			postDelete = append(postDelete, j)
			if j.Namespace == "" {
				postDeleteHere = append(postDeleteHere, j)
			}
		}
		if j.Phase == PostSync {
			postSync = append(postSync, j)
		}
		if j.Generate && j.TTLSecondsAfterFinished == nil {
			piling = append(piling, j)
		}
		if !j.Generate && !j.Phase.IsDelete() && !slices.Contains(j.DeletePolicy, BeforeHookCreation) {
			immutable = append(immutable, j)
		}
	}
	if len(syncJobs) > 0 {
		add("selective-sync", "Hooks run only on a full sync. Argo CD skips them on a selective sync, and self-heal is one: when Argo CD corrects drift, no hook runs. An automated sync runs them once per new revision or parameter change.", nil)
	}
	if len(postSync) > 0 {
		text := "A failing PostSync hook fails the sync operation but leaves the Application's health as it was: watch the operation's state"
		if t.Fail.Empty() {
			text += ", or add a SyncFail hook to hear about it (this application has none)."
		} else {
			text += "; this application's SyncFail hooks run then."
		}
		add("postsync-health", text, postSync)
	}
	if len(preDelete) > 0 {
		add("predelete-version", "PreDelete hooks need Argo CD 3.3 or newer; older versions delete the application without running them.", preDelete)
	}
	if len(postDelete) > 0 {
		add("postdelete-version", "PostDelete hooks need Argo CD 2.10 or newer.", postDelete)
	}
	if len(preDelete)+len(postDelete) > 0 {
		add("delete-renders", "When the Application is deleted, Argo CD renders its manifests again to find these hooks: keep hookgen.yaml valid until the Application is gone, or its deletion stalls.", append(slices.Clone(preDelete), postDelete...))
	}
	if len(postDeleteHere) > 0 {
		add("postdelete-namespace", "These PostDelete hooks run in the Application's destination namespace. If that namespace is deleted with the application, they cannot start and the deletion hangs: give them a namespace that outlives the application.", postDeleteHere)
	}
	if len(piling) > 0 {
		add("generatename-ttl", "These hooks get a new Job on every sync (generateName) without ttlSecondsAfterFinished. Argo CD never prunes hooks, so every Job its delete policy keeps stays: set ttlSecondsAfterFinished.", piling)
	}
	if len(immutable) > 0 {
		add("immutable-job", fmt.Sprintf("These hooks have fixed names and no %s delete policy: a Job left from an earlier sync (a failed one, or any after a failed sync) is applied again, and Kubernetes refuses to change a Job's pod template (\"field is immutable\"). Add %s.", BeforeHookCreation, BeforeHookCreation), immutable)
	}
	return out
}
