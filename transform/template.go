package transform

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

//go:embed templates/builtin.nodes
var builtinNodes []byte

//go:embed templates/*.yaml
var builtinFS embed.FS

// builtins are the templates embedded in the binary. Each is decoded the
// first time it is asked for, and shared from then on.
var builtins = sync.OnceValue(func() builtinSet { return newBuiltinSet(builtinNodes) })

// BuiltinTemplates returns every template embedded in the binary. The
// templates are shared: callers must not change them.
func BuiltinTemplates() (Templates, error) { return builtins().all() }

// builtinSet is the built-in templates by name: templates/NAME.yaml holds
// the one template NAME (decode checks it).
type builtinSet map[string]func() (*HookTemplate, error)

// newBuiltinSet indexes the built-in templates, taking their trees from
// the node cache nodes where it holds them unchanged (none for nil nodes:
// BenchmarkKeepNodeCache) and parsing their YAML otherwise.
func newBuiltinSet(nodes []byte) builtinSet {
	files, _ := fs.Glob(builtinFS, "templates/*.yaml") // the pattern is valid
	cached, _ := hookset.IndexNodeFiles(nodes)         // parsed ahead of time (internal/hookset/nodecache.go)
	set := builtinSet{}
	for _, f := range files {
		c, ok := cached["builtin:"+path.Base(f)]
		set[strings.TrimSuffix(path.Base(f), ".yaml")] = sync.OnceValues(func() (*HookTemplate, error) { return decodeBuiltin(builtinFS, f, c, ok) })
	}
	return set
}

// decodeBuiltin reads the template of the built-in file f of fsys, from
// its cached trees c when they were made from its text (TestBuiltinNodes
// checked them), from its YAML otherwise.
func decodeBuiltin(fsys fs.FS, f string, c hookset.NodeFile, cached bool) (*HookTemplate, error) {
	var ps problem.Collector
	data, err := fs.ReadFile(fsys, f)
	if err != nil {
		return nil, fmt.Errorf("read built-in template %s: %w", f, err)
	}
	file := "builtin:" + path.Base(f)
	var docs []*yaml.Node
	check := !cached || c.Hash != hookset.TextHash(data)
	if !check {
		docs, err = c.Docs()
		check = err != nil
	}
	if check { // changed since the cache was made: parse its YAML
		docs = yamlio.ParseStream(file, data, yamlio.DefaultLimits(), &ps)
	}
	ts := hookset.TemplatesOf(file, docs, OriginBuiltin, check, &ps)
	name := strings.TrimSuffix(path.Base(f), ".yaml")
	if ps.Empty() && (len(ts) != 1 || ts[0].Metadata.Name != name) {
		ps.Add(Pos{File: file}, "", "a built-in template file holds one template, named as the file: %s", name)
	}
	if err := ps.Err(); err != nil {
		return nil, fmt.Errorf("built-in templates: %w", err)
	}
	return ts[0], nil
}

// get returns the built-in template name; nil when there is none.
func (s builtinSet) get(name string) (*HookTemplate, error) {
	if load := s[name]; load != nil {
		return load()
	}
	return nil, nil
}

// all returns every built-in template, in a map of the caller's; the
// first by name that cannot be decoded is the error.
func (s builtinSet) all() (Templates, error) {
	ts := Templates{}
	for _, name := range subst.SortedKeys(s) {
		t, err := s.get(name)
		if err != nil {
			return nil, err
		}
		ts[name] = t
	}
	return ts, nil
}

// addBuiltins adds to ts the built-in templates the hooks use, those no
// template of ts replaces. A hook that names no template, or one that
// does not exist, is told which there are: then all are added.
func addBuiltins(ts Templates, hooks []*hookset.MergedHook, ps *problem.Collector) {
	set := builtins()
	var names []string
	for _, h := range hooks {
		switch {
		case h.Job != nil || ts[h.Uses] != nil:
		case set[h.Uses] != nil:
			names = append(names, h.Uses)
		default: // no template, or an unknown one
			names = subst.SortedKeys(set)
		}
	}
	for _, name := range names {
		if ts[name] != nil {
			continue
		}
		t, err := set.get(name)
		if err != nil {
			ps.Add(Pos{}, "", "%v", err)
			return
		}
		ts[name] = t
	}
}
