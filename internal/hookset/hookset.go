package hookset

import (
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/lazyre"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var envNameRE = lazyre.New(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`)

// SpecDirs lists the directories whose hookgen.yaml apply to the app
// directory: the repository root first, the app directory last.
func SpecDirs(appDir string) []string {
	dirs := []string{"."}
	if appDir == "." {
		return dirs
	}
	cur := ""
	for _, part := range splitPath(appDir) {
		cur = path.Join(cur, part)
		dirs = append(dirs, cur)
	}
	return dirs
}

func splitPath(p string) []string {
	var out []string
	for p != "." && p != "" {
		dir, file := path.Split(p)
		out = append([]string{file}, out...)
		p = path.Clean(dir)
		if p == "/" {
			break
		}
	}
	return out
}

// SingleDoc parses a file of hookgen's own that holds exactly one YAML
// document (a hookgen.yaml, the policy) and marks its origin; nil after
// reporting why not. base and kind name the file and what it holds.
func SingleDoc(file string, data []byte, lim yamlio.Limits, ps *problem.Collector, o *problem.Origins, base, kind, empty string) *yaml.Node {
	before := len(ps.List)
	docs := yamlio.ParseStream(file, data, lim, ps)
	if docs == nil && len(ps.List) > before {
		return nil // does not parse; reported
	}
	var content []*yaml.Node
	for _, d := range docs {
		if d != nil {
			content = append(content, d)
		}
	}
	for _, d := range content {
		if foreignDoc(file, base, kind, d, ps) {
			return nil
		}
	}
	switch {
	case len(content) == 0:
		ps.Add(problem.Pos{File: file}, "", "%s", empty)
		return nil
	case len(content) > 1:
		ps.Add(problem.Pos{File: file, Line: content[1].Line}, "", "%s holds one %s; found %d YAML documents", base, kind, len(content))
		return nil
	}
	o.Mark(file, content[0])
	return content[0]
}

// foreignDoc reports a Kubernetes object (or any non-hookgen apiVersion
// with a kind) in one of hookgen's own files, with what to do instead.
func foreignDoc(file, base, kind string, doc *yaml.Node, ps *problem.Collector) bool {
	if doc.Kind != yaml.MappingNode {
		return false
	}
	av, k := yamlio.MapGet(doc, "apiVersion"), yamlio.MapGet(doc, "kind")
	if av == nil || k == nil || av.Kind != yaml.ScalarNode || k.Kind != yaml.ScalarNode || av.Value == "" || k.Value == "" || hookspec.IsHookgenKind(av.Value) {
		return false
	}
	what := fmt.Sprintf("a Kubernetes %s %s", av.Value, k.Value)
	pos := problem.Pos{File: file, Line: doc.Line, Col: doc.Column}
	if base != hookspec.SpecFile {
		ps.Add(pos, "", "found %s, not a %s: %s holds one %s (apiVersion %s)", what, kind, base, kind, hookspec.APIVersion)
		return true
	}
	target := strings.ToLower(k.Value) + ".yaml"
	if n := yamlio.MapPath(doc, "metadata", "name"); n != nil && n.Kind == yaml.ScalarNode && IsDNSSubdomain(n.Value) {
		target = n.Value + ".yaml"
	}
	if a := yamlio.MapPath(doc, "metadata", "annotations"); a != nil && yamlio.MapGet(a, "argocd.argoproj.io/hook") != nil {
		ps.Add(pos, "", "found %s, not a %s: move it into a manifest file (say %s), where its argocd.argoproj.io/hook annotation makes it a hook; %s holds only hook declarations (apiVersion %s, kind %s)", what, kind, target, hookspec.SpecFile, hookspec.APIVersion, hookspec.KindHookSet)
		return true
	}
	if av.Value == "batch/v1" && k.Value == "Job" {
		ps.Add(pos, "", "found %s, not a %s: move it into a manifest file (say %s) and make it a hook with annotate: in %s, or declare it in %s as a hook whose job: is the Job's spec", what, kind, target, hookspec.SpecFile, hookspec.SpecFile)
		return true
	}
	ps.Add(pos, "", "found %s, not a %s: move it into a manifest file (say %s); %s holds only hook declarations (apiVersion %s, kind %s), and its annotate: can make the resource a hook", what, kind, target, hookspec.SpecFile, hookspec.APIVersion, hookspec.KindHookSet)
	return true
}

// ParseHookSet reads one hookgen.yaml.
func ParseHookSet(file string, data []byte, lim yamlio.Limits, ps *problem.Collector, o *problem.Origins) *hookspec.HookSet {
	doc := SingleDoc(file, data, lim, ps, o, hookspec.SpecFile, hookspec.KindHookSet,
		fmt.Sprintf("the file is empty: declare apiVersion %s, kind %s and hooks", hookspec.APIVersion, hookspec.KindHookSet))
	if doc == nil {
		return nil
	}
	set := &hookspec.HookSet{}
	d := &hookspec.Decoder{File: file, Ps: ps}
	if doc.Kind != yaml.MappingNode {
		ps.Add(d.Pos(doc), "", "expected a HookSet mapping, found %s", yamlio.KindName(doc))
		return nil
	}
	// Decode hooks one by one so that messages about a hook's fields name it.
	hooksNode := yamlio.MapGet(doc, "hooks")
	if hooksNode != nil {
		yamlio.MapDelete(doc, "hooks")
	}
	d.Decode(doc, reflect.ValueOf(set).Elem(), "", nil, "")
	if set.APIVersion != hookspec.APIVersion || set.Kind != hookspec.KindHookSet {
		ps.Add(d.Pos(doc), "", "expected apiVersion %s and kind %s, found %q and %q", hookspec.APIVersion, hookspec.KindHookSet, set.APIVersion, set.Kind)
		return nil
	}
	if set.Defaults != nil {
		checkKnobs(d, &set.Defaults.Knobs, set.Defaults.Src)
	}
	if hooksNode == nil || yamlio.IsNull(hooksNode) {
		return set
	}
	if hooksNode.Kind != yaml.SequenceNode {
		d.Errorf(hooksNode, "hooks must be a list, not %s", yamlio.KindName(hooksNode))
		return set
	}
	if len(hooksNode.Content) > lim.MaxHooks {
		ps.Add(d.Pos(hooksNode), "", "more than %d hooks (limit max-hooks)", lim.MaxHooks)
		return set
	}
	seen := map[string]int{}
	for _, item := range hooksNode.Content {
		h := hookspec.Hook{}
		hd := &hookspec.Decoder{File: file, Ps: ps, Hook: hookName(item)}
		hd.Decode(item, reflect.ValueOf(&h).Elem(), "hook", nil, "")
		if item.Kind != yaml.MappingNode {
			continue
		}
		switch {
		case h.Name == "":
			hd.Errorf(item, "every hook needs a name")
			continue
		case !IsDNSLabel(h.Name):
			hd.Errorf(item, "name must be a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters")
			continue
		}
		if line, dup := seen[h.Name]; dup {
			hd.Errorf(item, "declared twice in this file (first at line %d)", line)
			continue
		}
		seen[h.Name] = item.Line
		CheckHook(hd, &h)
		set.Hooks = append(set.Hooks, h)
	}
	return set
}

// hookName reads a hook's name before decoding, for messages.
func hookName(item *yaml.Node) string {
	if n := yamlio.MapGet(item, "name"); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// CheckHook checks what can be checked of one declaration on its own.
func CheckHook(d *hookspec.Decoder, h *hookspec.Hook) {
	at := func(field string) problem.Pos { return h.Src.At(field) }
	if h.Uses != "" && h.Job != nil {
		d.Ps.Add(at("job"), d.Hook, "set either uses (a template) or job (a raw JobSpec), not both")
	}
	if h.Job != nil && h.Job.Kind != yaml.MappingNode {
		d.Ps.Add(at("job"), d.Hook, "job must be a batch/v1 JobSpec (a mapping), not %s", yamlio.KindName(h.Job))
	}
	if h.With != nil {
		switch {
		case h.With.Kind != yaml.MappingNode:
			d.Ps.Add(at("with"), d.Hook, "with must be a mapping of parameters, not %s", yamlio.KindName(h.With))
		case h.Job != nil:
			d.Ps.Add(at("with"), d.Hook, "with sets template parameters; a raw job has none")
		}
	}
	for _, p := range h.Phase {
		if _, ok := hookspec.ParsePhase(p); !ok {
			d.Ps.Add(at("phase"), d.Hook, "unknown phase %q%s", p, hookspec.Suggest(p, PhaseNames()))
		}
	}
	if DupPhase(h.Phase) {
		d.Ps.Add(at("phase"), d.Hook, "a phase is listed twice")
	}
	checkKnobs(d, &h.Knobs, h.Src)
}

// DupPhase reports whether a phase is listed twice.
func DupPhase(l hookspec.StringList) bool {
	s := slices.Clone(l)
	slices.Sort(s)
	return len(slices.Compact(s)) != len(l)
}

// checkKnobs checks the Job settings shared by hooks and defaults.
func checkKnobs(d *hookspec.Decoder, k *hookspec.Knobs, src hookspec.Source) {
	for _, p := range k.DeletePolicy {
		if _, ok := hookspec.ParseDeletePolicy(p); !ok {
			d.Ps.Add(src.At("deletePolicy"), d.Hook, "unknown delete policy %q%s", p, hookspec.Suggest(p, PolicyNames()))
		}
	}
	if v := k.ActiveDeadlineSeconds; v != nil && *v <= 0 {
		d.Ps.Add(src.At("activeDeadlineSeconds"), d.Hook, "activeDeadlineSeconds must be positive: a hook must end")
	}
	if v := k.BackoffLimit; v != nil && *v < 0 {
		d.Ps.Add(src.At("backoffLimit"), d.Hook, "backoffLimit must not be negative")
	}
	if v := k.TTLSecondsAfterFinished; v != nil && *v < 0 {
		d.Ps.Add(src.At("ttlSecondsAfterFinished"), d.Hook, "ttlSecondsAfterFinished must not be negative")
	}
	for i, t := range k.Tolerations {
		if t.Operator != "" && t.Operator != "Exists" && t.Operator != "Equal" {
			d.Ps.Add(src.At("tolerations"), d.Hook, "tolerations[%d]: operator must be Exists or Equal", i)
		}
		switch t.Effect {
		case "", "NoSchedule", "PreferNoSchedule", "NoExecute":
		default:
			d.Ps.Add(src.At("tolerations"), d.Hook, "tolerations[%d]: effect must be NoSchedule, PreferNoSchedule or NoExecute", i)
		}
	}
	for i, e := range k.Env {
		pos := e.Src.Pos
		switch {
		case e.Name == "":
			d.Ps.Add(pos, d.Hook, "env[%d] needs a name", i)
		case !envNameRE.MatchString(e.Name):
			d.Ps.Add(pos, d.Hook, "env[%d]: %q is not a valid environment variable name", i, e.Name)
		}
		if (e.Value != nil) == (e.ValueFrom != nil) {
			d.Ps.Add(pos, d.Hook, "env %q needs exactly one of value and valueFrom", e.Name)
		}
		if e.ValueFrom != nil && e.ValueFrom.Kind != yaml.MappingNode {
			d.Ps.Add(e.Src.At("valueFrom"), d.Hook, "env %q: valueFrom must be a mapping (secretKeyRef, configMapKeyRef, fieldRef or resourceFieldRef)", e.Name)
		}
	}
	if h := k.Hardening; h != nil && h.RunAsUser != nil && *h.RunAsUser <= 0 && (h.RunAsNonRoot == nil || *h.RunAsNonRoot) {
		d.Ps.Add(src.At("hardening.runAsUser"), d.Hook, "hardening.runAsUser must be above 0 while runAsNonRoot is on")
	}
	checkFields(d, k, src)
	if h := k.Hardening; h != nil && h.SeccompProfile != nil {
		if p := *h.SeccompProfile; p != "RuntimeDefault" && p != "Unconfined" {
			d.Ps.Add(src.At("hardening.seccompProfile"), d.Hook, "hardening.seccompProfile must be RuntimeDefault or Unconfined")
		}
	}
}

// MergedHook is a hook after every hookgen.yaml from the root to the app
// directory had its say.
type MergedHook struct {
	hookspec.Hook
	Decls []*hookspec.Hook // the declarations that shaped it, farthest first
	Files []string         // the file of each declaration
}

// File is the file of the nearest declaration.
func (m *MergedHook) File() string { return m.Files[len(m.Files)-1] }

// Wrote reports whether one of the declarations writes the field.
func (m *MergedHook) Wrote(field string) bool {
	for _, d := range m.Decls {
		if d.Src.Has(field) {
			return true
		}
	}
	return false
}

// Pos is the position of the nearest declaration.
func (m *MergedHook) Pos() problem.Pos { return m.Decls[len(m.Decls)-1].Src.Pos }

// At returns the position of a field in the nearest declaration that set
// it, else the nearest declaration.
func (m *MergedHook) At(field string) problem.Pos {
	for i := len(m.Decls) - 1; i >= 0; i-- {
		if m.Decls[i].Src.Has(field) {
			return m.Decls[i].Src.At(field)
		}
	}
	return m.Pos()
}

// KeyAt returns the position of a field's key in the nearest declaration
// that set it, else the nearest declaration.
func (m *MergedHook) KeyAt(field string) problem.Pos {
	for i := len(m.Decls) - 1; i >= 0; i-- {
		if m.Decls[i].Src.Has(field) {
			return m.Decls[i].Src.KeyAt(field)
		}
	}
	return m.Pos()
}

// MergeSets merges HookSets, the root's first: a nearer declaration of a
// hook overrides the fields it sets (`with` key by key), or replaces the
// hook entirely when it names its own template or job. Defaults merge the
// same way and end up under every hook.
func MergeSets(sets []*hookspec.HookSet) (defaults hookspec.Knobs, hooks []*MergedHook, manifests *hookspec.Manifests) {
	byName := map[string]*MergedHook{}
	for _, set := range sets {
		file := set.Src.Pos.File
		if set.Defaults != nil {
			Overlay(reflect.ValueOf(&defaults).Elem(), reflect.ValueOf(set.Defaults.Knobs))
		}
		if set.Manifests != nil {
			manifests = set.Manifests
		}
		for i := range set.Hooks {
			h := &set.Hooks[i]
			m, ok := byName[h.Name]
			if !ok || h.Uses != "" || h.Job != nil {
				if !ok {
					m = &MergedHook{}
					byName[h.Name] = m
					hooks = append(hooks, m)
				}
				m.Hook = cloneHook(h)
				m.Decls, m.Files = nil, nil
			} else {
				Overlay(reflect.ValueOf(&m.Hook).Elem(), reflect.ValueOf(*h))
			}
			m.Decls = append(m.Decls, h)
			m.Files = append(m.Files, file)
		}
	}
	return defaults, hooks, manifests
}

func cloneHook(h *hookspec.Hook) hookspec.Hook {
	var c hookspec.Hook
	Overlay(reflect.ValueOf(&c).Elem(), reflect.ValueOf(*h))
	return c
}

// Overlay writes every field that src sets over dst: scalars and lists are
// replaced, maps and structs merged key by key, a `with` mapping merged
// parameter by parameter.
func Overlay(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Struct:
		for i := 0; i < src.NumField(); i++ {
			if f := src.Type().Field(i); !f.IsExported() || f.Tag.Get("json") == "-" {
				continue // where a declaration was read is not declared
			}
			Overlay(dst.Field(i), src.Field(i))
		}
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		if src.Type() == hookspec.NodeType {
			// `with` and `affinity` merge key by key; a declaration with
			// its own job replaces the hook instead of overlaying it.
			s, d := src.Interface().(*yaml.Node), dst.Interface().(*yaml.Node)
			if d != nil && d.Kind == yaml.MappingNode && s.Kind == yaml.MappingNode {
				dst.Set(reflect.ValueOf(mergeMapping(d, s)))
				return
			}
			dst.Set(src)
			return
		}
		if src.Elem().Kind() == reflect.Struct {
			if dst.IsNil() {
				dst.Set(reflect.New(src.Type().Elem()))
			}
			Overlay(dst.Elem(), src.Elem())
			return
		}
		dst.Set(src)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMap(src.Type())
		if !dst.IsNil() {
			for _, k := range dst.MapKeys() {
				m.SetMapIndex(k, dst.MapIndex(k))
			}
		}
		for _, k := range src.MapKeys() {
			m.SetMapIndex(k, src.MapIndex(k))
		}
		dst.Set(m)
	case reflect.Slice:
		if !src.IsNil() {
			dst.Set(src)
		}
	case reflect.String:
		if src.String() != "" {
			dst.Set(src)
		}
	case reflect.Bool:
		if src.Bool() {
			dst.Set(src)
		}
	default:
		dst.Set(src)
	}
}

// mergeMapping returns a new mapping with the keys of a, overridden and
// extended by those of b.
func mergeMapping(a, b *yaml.Node) *yaml.Node {
	out := *a
	out.Content = slices.Clone(a.Content)
	for i := 0; i+1 < len(b.Content); i += 2 {
		yamlio.MapSet(&out, b.Content[i].Value, b.Content[i+1])
	}
	return &out
}
