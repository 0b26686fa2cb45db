package transform

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"sync"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

//go:embed templates/builtin.nodes
var builtinNodes []byte

//go:embed templates/*.yaml
var builtinFS embed.FS

var builtins = sync.OnceValues(loadBuiltins)

// BuiltinTemplates returns the templates embedded in the binary. The
// templates are shared: callers must not change them.
func BuiltinTemplates() (Templates, error) {
	ts, err := builtins()
	if err != nil {
		return nil, err
	}
	return maps.Clone(ts), nil
}

func loadBuiltins() (Templates, error) { return loadTemplates(builtinNodes) }

// loadTemplates reads the built-in templates, taking their trees from the
// node cache nodes where it holds them unchanged (none for nil nodes:
// BenchmarkKeepNodeCache) and parsing their YAML otherwise.
func loadTemplates(nodes []byte) (Templates, error) {
	var ps problem.Collector
	ts := Templates{}
	files, err := fs.Glob(builtinFS, "templates/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list built-in templates: %w", err)
	}
	cached, _ := hookset.DecodeNodeFiles(nodes) // parsed ahead of time (internal/hookset/nodecache.go)
	for _, f := range files {
		data, err := builtinFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read built-in template %s: %w", f, err)
		}
		file := "builtin:" + path.Base(f)
		docs, check := cached[file].Docs, false // TestBuiltinNodes checked these
		if c, ok := cached[file]; !ok || c.Hash != hookset.TextHash(data) {
			docs, check = yamlio.ParseStream(file, data, yamlio.DefaultLimits(), &ps), true // changed since: parse its YAML
		}
		for _, t := range hookset.TemplatesOf(file, docs, OriginBuiltin, check, &ps) {
			if _, dup := ts[t.Metadata.Name]; dup {
				ps.Add(t.Src.Pos, "", "built-in template %q defined twice", t.Metadata.Name)
			}
			ts[t.Metadata.Name] = t
		}
	}
	if err := ps.Err(); err != nil {
		return nil, fmt.Errorf("built-in templates: %w", err)
	}
	return ts, nil
}
