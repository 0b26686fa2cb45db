package jobgen

import (
	"slices"
	"strconv"

	"github.com/hookgen/hookgen/internal/hookpolicy"
	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/runnerenv"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// RunnerEnv lists the variables a runner container gets: the context its
// messages are made of (internal/runnerenv, package runner). Empty values
// are left out.
var RunnerEnv = []struct {
	Name string
	Get  func(hookspec.App, string, hookspec.Phase, string) string
}{
	{runnerenv.AppName, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Name }},
	{runnerenv.AppNamespace, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Namespace }},
	{runnerenv.AppProject, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Project }},
	{runnerenv.AppRevision, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Revision }},
	{runnerenv.AppRevisionShort, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.RevisionShort }},
	{runnerenv.AppRepoURL, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.RepoURL }},
	{runnerenv.AppPath, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.Path }},
	{runnerenv.AppTargetRevision, func(a hookspec.App, _ string, _ hookspec.Phase, _ string) string { return a.TargetRevision }},
	{runnerenv.HookName, func(_ hookspec.App, hook string, _ hookspec.Phase, _ string) string { return hook }},
	{runnerenv.HookPhase, func(_ hookspec.App, _ string, p hookspec.Phase, _ string) string { return string(p) }},
	{runnerenv.HookOutcome, func(_ hookspec.App, _ string, p hookspec.Phase, _ string) string { return p.Outcome() }},
	{runnerenv.ArgoCDURL, func(_ hookspec.App, _ string, _ hookspec.Phase, url string) string { return url }},
}

// runnerEnv builds the context variables of a runner container.
func (g *Generator) runnerEnv(h *hookset.MergedHook, p hookspec.Phase) []*yaml.Node {
	var out []*yaml.Node
	for _, e := range RunnerEnv {
		if v := e.Get(g.Ctx.App, h.Name, p, g.Ctx.ArgoCDURL); v != "" {
			out = append(out, yamlio.NewMap("name", yamlio.NewStr(e.Name), "value", yamlio.NewStr(subst.EscapeExpansion(v))))
		}
	}
	return out
}

// envNode builds an EnvVar node, substituting placeholders in its value.
func (g *Generator) envNode(h *hookset.MergedHook, sc *subst.Scope, e hookspec.EnvVar) *yaml.Node {
	n := yamlio.NewMap("name", yamlio.NewStr(e.Name))
	switch {
	case e.Value != nil:
		s := &subst.Subster{Scope: sc, Dollars: subst.DollarsEscaped}
		src := &yaml.Node{Kind: yaml.ScalarNode, Tag: yamlio.TagStr, Value: *e.Value, Line: e.Src.At("value").Line}
		v := s.String(src, *e.Value)
		for _, err := range s.Errs {
			g.Ps.Add(e.Src.At("value"), h.Name, "env %s: %s", e.Name, err.Msg)
		}
		vn := yamlio.NewStr(v)
		vn.Line, vn.Column = e.Src.At("value").Line, e.Src.At("value").Col
		g.Origins.File[vn] = e.Src.Pos.File
		yamlio.MapSet(n, "value", vn)
	case e.ValueFrom != nil:
		vf := g.substitute(h, sc, e.ValueFrom, e.Src.Pos)
		if vf != nil {
			subst.Untaint(vf)
		}
		yamlio.MapSet(n, "valueFrom", vf)
	}
	return n
}

// addEnv adds env vars to a container, replacing those of the same name.
func addEnv(c *yaml.Node, env []*yaml.Node, copyNode func(*yaml.Node) *yaml.Node) {
	list := yamlio.MapGet(c, "env")
	if list == nil || list.Kind != yaml.SequenceNode {
		list = yamlio.NewSeq()
		yamlio.MapSet(c, "env", list)
	}
	for _, e := range env {
		name := yamlio.MapGet(e, "name").Value
		replaced := false
		for i, old := range list.Content {
			if n := yamlio.MapGet(old, "name"); n != nil && n.Value == name {
				list.Content[i] = copyNode(e)
				replaced = true
			}
		}
		if !replaced {
			list.Content = append(list.Content, copyNode(e))
		}
	}
}

func resourcesNode(r *hookspec.Resources) *yaml.Node {
	n := yamlio.NewMap()
	for _, part := range []struct {
		key string
		m   map[string]hookspec.Quantity
	}{{"limits", r.Limits}, {"requests", r.Requests}} {
		if len(part.m) == 0 {
			continue
		}
		m := map[string]string{}
		for k, v := range part.m {
			m[k] = string(v)
		}
		yamlio.MapSet(n, part.key, yamlio.StrMap(m))
	}
	return n
}

func tolerationNodes(ts []hookspec.Toleration) *yaml.Node {
	list := yamlio.NewSeq()
	for _, t := range ts {
		n := yamlio.NewMap()
		for _, kv := range [][2]string{{"key", t.Key}, {"operator", t.Operator}, {"value", t.Value}, {"effect", t.Effect}} {
			if kv[1] != "" {
				yamlio.MapSet(n, kv[0], yamlio.NewStr(kv[1]))
			}
		}
		if t.TolerationSeconds != nil {
			yamlio.MapSet(n, "tolerationSeconds", yamlio.NewInt(*t.TolerationSeconds))
		}
		list.Content = append(list.Content, n)
	}
	return list
}

// mergeStrings merges string pairs into the mapping under key, sorted.
func mergeStrings(m *yaml.Node, key string, add map[string]string) {
	if len(add) == 0 {
		return
	}
	all := map[string]string{}
	if old := yamlio.MapGet(m, key); old != nil && old.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(old.Content); i += 2 {
			all[old.Content[i].Value] = old.Content[i+1].Value
		}
	}
	for k, v := range add {
		all[k] = v
	}
	yamlio.MapSet(m, key, yamlio.StrMap(all))
}

// jobInt reads an integer field of a template's job, if it is a literal.
// jobInt reads an integer the job sets, nil when it sets none; a value that
// is not a non-negative integer of T's size goes to bad.
func jobInt[T int32 | int64](job *yaml.Node, key string, bad func(key string)) *T {
	v := yamlio.MapGet(job, key)
	if v == nil {
		return nil
	}
	i, err := strconv.ParseInt(v.Value, 0, 64)
	if v.ShortTag() != yamlio.TagInt || err != nil || i < 0 || int64(T(i)) != i {
		bad(key)
		return nil
	}
	t := T(i)
	return &t
}

func derefOr[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}

func dedupe(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// NamedAccount is a service account a pod spec names, and where.
type NamedAccount struct {
	At   hookpolicy.Path
	Name string
}

// ServiceAccounts returns the service accounts a pod spec names: the
// deprecated serviceAccount is copied into serviceAccountName by the API
// server when that is empty.
func ServiceAccounts(spec map[string]any) []NamedAccount {
	var out []NamedAccount
	for _, key := range []string{"serviceAccountName", "serviceAccount"} {
		if s := yamlio.Str(spec[key]); s != "" {
			out = append(out, NamedAccount{hookpolicy.Path{key}, s})
		}
	}
	return out
}
