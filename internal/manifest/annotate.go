package manifest

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Annotating the application's own resources: `annotate:` rules in
// hookgen.yaml set Argo CD's hook, delete policy, sync wave and sync
// option annotations on the resources they match, and convertHelmHooks
// turns Helm's hook annotations into Argo CD's with Argo CD's own mapping.
// A changed document is printed again (kustomize's encoder for a
// kustomize build, hookgen's otherwise); every other document passes
// through byte for byte.

// Skip is the hook type that keeps Argo CD from applying a resource. It is
// valid only alone.
const Skip = "Skip"

// HelmHookPhases is Argo CD's mapping of Helm hook types
// (gitops-engine pkg/sync/hook/helm; pre-delete and post-delete are Argo
// CD's own deletion hooks).
var HelmHookPhases = map[string]hookspec.Phase{
	"pre-install":  hookspec.PreSync,
	"pre-upgrade":  hookspec.PreSync,
	"post-install": hookspec.PostSync,
	"post-upgrade": hookspec.PostSync,
	"pre-delete":   hookspec.PreDelete,
	"post-delete":  hookspec.PostDelete,
}

// helmDeletePolicies maps Helm's delete policies one to one.
var helmDeletePolicies = map[string]hookspec.DeletePolicy{
	"hook-succeeded":       hookspec.HookSucceeded,
	"hook-failed":          hookspec.HookFailed,
	"before-hook-creation": hookspec.BeforeHookCreation,
}

// HelmCRDInstall marks a CRD for Helm 2; it is not a hook.
const HelmCRDInstall = "crd-install"

// AnnotateRule is a rule with what a run knows about it.
type AnnotateRule struct {
	*hookspec.AnnotateRule
	label     string // how messages name it
	mustMatch bool   // declared next to the application: matching nothing is a mistake
	matched   int
}

// Annotations are the annotate rules and the convertHelmHooks setting
// that apply to the application, the root's first.
type Annotations struct {
	rules   []*AnnotateRule
	convert bool
}

// Empty reports whether there is nothing to annotate.
func (a Annotations) Empty() bool { return len(a.rules) == 0 && !a.convert }

// CollectAnnotations gathers and checks the annotate rules of the
// HookSets. Rules add up from the root's file to the app's;
// convertHelmHooks is the nearest file's.
func CollectAnnotations(sets []*hookspec.HookSet, appDir string, ps *problem.Collector) Annotations {
	var a Annotations
	for _, set := range sets {
		if set == nil {
			continue
		}
		file := set.Src.Pos.File
		if set.ConvertHelmHooks != nil {
			a.convert = *set.ConvertHelmHooks
		}
		names := map[string]int{}
		for i := range set.Annotate {
			r := &AnnotateRule{AnnotateRule: &set.Annotate[i], mustMatch: path.Dir(file) == appDir}
			r.label = fmt.Sprintf("annotate[%d]", i)
			if r.Name != "" {
				r.label = fmt.Sprintf("annotate rule %q", r.Name)
				if line, dup := names[r.Name]; dup {
					ps.Add(r.Src.Pos, "", "%s: declared twice in this file (first at line %d)", r.label, line)
				}
				names[r.Name] = r.Src.Pos.Line
			}
			if checkAnnotateRule(r, ps) {
				a.rules = append(a.rules, r)
			}
		}
	}
	return a
}

// checkAnnotateRule checks one rule on its own and reports whether it can
// be applied.
func checkAnnotateRule(r *AnnotateRule, ps *problem.Collector) bool {
	before := len(ps.List)
	at := func(field string) problem.Pos { return r.Src.At(field) }
	fail := func(field, format string, args ...any) {
		ps.Add(at(field), "", r.label+": "+format, args...)
	}
	switch m := r.Match; {
	case m == nil:
		fail("", "match is required: the kind, name or labels of the resources to annotate")
	case m.Kind == "" && m.Name == "" && len(m.Labels) == 0:
		fail("match", "match needs at least one of kind, name and labels")
	default:
		if _, err := path.Match(m.Name, ""); err != nil {
			fail("match.name", "match.name: bad glob %q", m.Name)
		}
	}
	if len(r.Phase) == 0 && len(r.DeletePolicy) == 0 && r.Wave == nil && len(r.SyncOptions) == 0 && (r.ConvertHelmHooks == nil || !*r.ConvertHelmHooks) {
		fail("", "sets nothing: give phase, deletePolicy, wave, syncOptions or convertHelmHooks")
	}
	for _, p := range r.Phase {
		if _, ok := hookspec.ParsePhase(p); !ok && p != Skip {
			fail("phase", "unknown phase %q%s", p, hookspec.Suggest(p, append(hookset.PhaseNames(), Skip)))
		}
	}
	if slices.Contains(r.Phase, Skip) && len(r.Phase) > 1 {
		fail("phase", "Skip must stand alone: Argo CD ignores it next to other phases")
	}
	if hookset.DupPhase(r.Phase) {
		fail("phase", "a phase is listed twice")
	}
	for _, p := range r.DeletePolicy {
		if _, ok := hookspec.ParseDeletePolicy(p); !ok {
			fail("deletePolicy", "unknown delete policy %q%s", p, hookspec.Suggest(p, hookset.PolicyNames()))
		}
	}
	hookset.CheckSyncOptions(r.SyncOptions, "Replace=true", func(format string, args ...any) {
		fail("syncOptions", format, args...)
	})
	return len(ps.List) == before
}

// Apply annotates the resources and returns notes about what was left
// as it was. complete says the resources were read without problems: only
// then is a rule that matches none of them reported.
func (a Annotations) Apply(ms []*Manifest, complete bool, ps *problem.Collector) problem.Problems {
	if a.Empty() {
		return nil
	}
	var notes problem.Problems
	for _, m := range ms {
		if strings.HasSuffix(m.Kind, "List") {
			continue
		}
		parsed := m.Tree == nil
		if parsed && !a.mayChange(m) {
			continue // its identity rules it out: its text is never parsed
		}
		if n := m.Node(); n == nil || n.Kind != yaml.MappingNode {
			continue
		}
		changed := false
		if a.convert {
			c, n := ConvertHelmHooks(m)
			changed = changed || c
			notes = append(notes, n...)
		}
		var policyBy *AnnotateRule // the last rule that set a delete policy
		for _, r := range a.rules {
			if !r.Matches(m) {
				continue
			}
			r.matched++
			changed = true
			if r.ConvertHelmHooks != nil && *r.ConvertHelmHooks {
				_, n := ConvertHelmHooks(m)
				notes = append(notes, n...)
			}
			ann := annotationsOf(m.Tree)
			if len(r.Phase) > 0 {
				yamlio.MapSet(ann, hookspec.AnnotationHook, yamlio.NewStr(strings.Join(r.Phase, ",")))
			}
			if len(r.DeletePolicy) > 0 {
				yamlio.MapSet(ann, hookspec.AnnotationHookDeletePolicy, yamlio.NewStr(strings.Join(r.DeletePolicy, ",")))
				policyBy = r
			}
			if r.Wave != nil {
				yamlio.MapSet(ann, hookspec.AnnotationSyncWave, yamlio.NewStr(strconv.Itoa(int(*r.Wave))))
			}
			if len(r.SyncOptions) > 0 {
				yamlio.MapSet(ann, hookspec.AnnotationSyncOptions, yamlio.NewStr(strings.Join(r.SyncOptions, ",")))
			}
		}
		if !changed {
			if parsed {
				m.Tree = nil // printed as written: the tree is not kept
			}
			continue
		}
		if ann := yamlio.MapGet(m.Tree, "metadata"); ann != nil {
			if a := yamlio.MapGet(ann, "annotations"); a != nil && a.Kind == yaml.MappingNode && len(a.Content) == 0 {
				yamlio.MapDelete(ann, "annotations") // a conversion removed the last one
			}
		}
		checkAnnotated(m, policyBy, ps)
		if m.Kres != nil {
			if err := m.render(); err != nil {
				ps.Add(problem.Pos{File: m.File, Line: m.Line}, "", "%v", err)
			}
			continue
		}
		// Encoded from its tree as parsed: quoting, comments and styles
		// stay, so a plain yes or 0777 keeps the meaning YAML 1.1 readers
		// (Kubernetes, Argo CD) give it.
		m.Raw = nil
	}
	for _, r := range a.rules {
		if r.matched == 0 && r.mustMatch && complete {
			ps.Add(r.Src.Pos, "", "%s matches no resource of the application%s", r.label, noMatchHint(r.Match, ms))
		}
	}
	return notes.Sorted()
}

// checkAnnotated checks a resource after every rule had its say.
func checkAnnotated(m *Manifest, policyBy *AnnotateRule, ps *problem.Collector) {
	ann := yamlio.MapPath(m.Tree, "metadata", "annotations")
	hook := yamlio.MapGet(ann, hookspec.AnnotationHook)
	if policyBy != nil && hook == nil && yamlio.MapGet(ann, hookspec.HelmAnnotationHook) == nil {
		ps.Add(policyBy.Src.At("deletePolicy"), "", "%s: deletePolicy applies only to hooks, and %s is not one: set phase too", policyBy.label, ResourceName(m))
	}
	if hook == nil {
		return
	}
	for _, p := range strings.Split(hook.Value, ",") {
		if ph, ok := hookspec.ParsePhase(strings.TrimSpace(p)); ok && ph.IsDelete() && m.Name == "" {
			ps.Add(problem.Pos{File: m.File, Line: m.Line}, "", "%s is a %s hook without metadata.name: Argo CD finds deletion hooks by name, so a generateName would be created again on every reconcile", ResourceName(m), ph)
		}
	}
}

// matches reports whether the rule selects the resource.
// mayChange reports whether annotating could change a resource, judging
// by what is known without its tree: its identity for the rules, and for
// Helm's hook annotations the text (a backslash may spell the key with
// an escape). Only such a resource is parsed: a run over thousands of
// resources holds the trees of the few its rules name.
func (a Annotations) mayChange(m *Manifest) bool {
	if a.convert && (m.Raw == nil || bytes.Contains(m.Raw, []byte("helm.sh/hook")) || bytes.IndexByte(m.Raw, '\\') >= 0) {
		return true
	}
	for _, r := range a.rules {
		if r.identityMatches(m) {
			return true
		}
	}
	return false
}

// identityMatches reports whether the rule's kind, apiVersion, namespace
// and name match the resource (its labels aside).
func (r *AnnotateRule) identityMatches(m *Manifest) bool {
	mt := r.Match
	if mt.Kind != "" && mt.Kind != m.Kind ||
		mt.APIVersion != "" && mt.APIVersion != m.APIVersion ||
		mt.Namespace != "" && mt.Namespace != m.Namespace {
		return false
	}
	if mt.Name != "" {
		if ok, _ := path.Match(mt.Name, m.Name); !ok {
			return false
		}
	}
	return true
}

// Matches reports whether the rule matches m.
func (r *AnnotateRule) Matches(m *Manifest) bool {
	mt := r.Match
	if !r.identityMatches(m) {
		return false
	}
	if len(mt.Labels) > 0 {
		labels := yamlio.MapPath(m.Tree, "metadata", "labels")
		for k, v := range mt.Labels {
			l := yamlio.MapGet(labels, k)
			if l == nil || l.Kind != yaml.ScalarNode || l.Value != v {
				return false
			}
		}
	}
	return true
}

// noMatchHint says what is there when a rule matches nothing.
func noMatchHint(mt *hookspec.ResourceMatch, ms []*Manifest) string {
	if len(ms) == 0 {
		return " (it has none here: a hooks-only source cannot annotate the resources of the Application's other sources)"
	}
	if mt.Kind == "" {
		return ""
	}
	var kinds []string
	for _, m := range ms {
		if m.Kind == mt.Kind {
			return ""
		}
		kinds = append(kinds, m.Kind)
	}
	slices.Sort(kinds)
	return fmt.Sprintf(" (no %s; kinds here: %s)", mt.Kind, strings.Join(slices.Compact(kinds), ", "))
}

// annotationsOf returns the resource's annotations, creating them.
func annotationsOf(n *yaml.Node) *yaml.Node {
	return yamlio.MapEnsure(yamlio.MapEnsure(n, "metadata"), "annotations")
}

// ResourceName names m for a message: Kind/name.
func ResourceName(m *Manifest) string {
	name := m.Name
	if name == "" {
		name = yamlio.MapPath(m.Tree, "metadata", "generateName").Value + "*"
	}
	return m.Kind + "/" + name
}

// ConvertHelmHooks turns a resource's Helm hook annotations into Argo
// CD's, the way Argo CD itself reads them (argocd-facts: Helm hook
// mapping), and reports whether it changed the resource. Types Argo CD
// has no equivalent for (test, rollback) are left alone, with a note.
// A resource that already has an Argo CD hook keeps its annotations:
// Argo CD ignores Helm's hook types on it.
func ConvertHelmHooks(m *Manifest) (changed bool, notes problem.Problems) {
	ann := yamlio.MapPath(m.Tree, "metadata", "annotations")
	helm := yamlio.MapGet(ann, hookspec.HelmAnnotationHook)
	if helm == nil || helm.Kind != yaml.ScalarNode || yamlio.MapGet(ann, hookspec.AnnotationHook) != nil {
		return false, nil
	}
	note := func(format string, args ...any) {
		notes = append(notes, problem.Problem{Pos: problem.Pos{File: m.File, Line: m.Line}, Msg: "note: " + ResourceName(m) + ": " + fmt.Sprintf(format, args...)})
	}
	var phases, other []string
	crd := false
	for _, t := range strings.Split(helm.Value, ",") {
		t = strings.TrimSpace(t)
		switch p, ok := HelmHookPhases[t]; {
		case t == "":
		case ok:
			if !slices.Contains(phases, string(p)) {
				phases = append(phases, string(p))
			}
		case t == HelmCRDInstall:
			crd = true
		default:
			other = append(other, t)
		}
	}
	if len(phases) == 0 && !crd {
		note("Helm hook %q has no Argo CD equivalent, and Argo CD never applies such a resource; left as is", helm.Value)
		return false, notes
	}
	if len(other) > 0 {
		note("Helm hook types %s have no Argo CD equivalent; converted the others", strings.Join(other, ", "))
	}
	yamlio.MapDelete(ann, hookspec.HelmAnnotationHook)
	if len(phases) > 0 {
		yamlio.MapSet(ann, hookspec.AnnotationHook, yamlio.NewStr(strings.Join(phases, ",")))
	}
	if w := yamlio.MapGet(ann, hookspec.HelmAnnotationHookWeight); w != nil {
		yamlio.MapDelete(ann, hookspec.HelmAnnotationHookWeight)
		if _, err := strconv.ParseInt(strings.TrimSpace(w.Value), 10, 32); err != nil {
			note("helm.sh/hook-weight %q is not an integer; dropped", w.Value)
		} else if yamlio.MapGet(ann, hookspec.AnnotationSyncWave) == nil {
			yamlio.MapSet(ann, hookspec.AnnotationSyncWave, yamlio.NewStr(strings.TrimSpace(w.Value)))
		}
	}
	if d := yamlio.MapGet(ann, hookspec.HelmAnnotationHookDeletePolicy); d != nil {
		yamlio.MapDelete(ann, hookspec.HelmAnnotationHookDeletePolicy)
		var policies []string
		if old := yamlio.MapGet(ann, hookspec.AnnotationHookDeletePolicy); old != nil {
			for _, p := range strings.Split(old.Value, ",") {
				if p = strings.TrimSpace(p); p != "" && !slices.Contains(policies, p) {
					policies = append(policies, p)
				}
			}
		}
		for _, p := range strings.Split(d.Value, ",") {
			p = strings.TrimSpace(p)
			ap, ok := helmDeletePolicies[p]
			switch {
			case p == "":
			case !ok:
				note("helm.sh/hook-delete-policy %q is not a Helm delete policy; dropped", p)
			case !slices.Contains(policies, string(ap)):
				policies = append(policies, string(ap))
			}
		}
		if len(policies) > 0 && len(phases) > 0 {
			yamlio.MapSet(ann, hookspec.AnnotationHookDeletePolicy, yamlio.NewStr(strings.Join(policies, ",")))
		}
	}
	return true, notes
}
