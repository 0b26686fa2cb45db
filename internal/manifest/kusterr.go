package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/lazyre"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// When kustomize's build fails, its error is a chain of wrapped messages
// naming files by the paths of the file system hookgen shows it
// ("evalsymlink failure on '/app/servce.yaml'"), without a line. Before
// falling back to that text, hookgen looks at the kustomizations itself,
// the way kustomize reads them, and reports the first thing it finds wrong
// at its file, line and column: a file that does not parse, an unknown
// field, a resource, base, component, patch or generator file that is not
// there. The fallback names files by their repository paths and keeps only
// the innermost message of the chain.

// kustDiagnosis walks a kustomization tree, reporting into ps.
type kustDiagnosis struct {
	r    *yamlio.Reader
	k    *kustFS // resolves symlinks as kustomize does, loops bounded
	ps   *problem.Collector
	seen map[string]bool
}

// stat resolves every symlink of p as kustomize would and returns the
// real path and its info.
func (d *kustDiagnosis) stat(p string) (string, fs.FileInfo, error) {
	real, err := d.k.evalSymlinks(virtual(p))
	if err != nil {
		return "", nil, err
	}
	real = fsPath(real)
	fi, err := fs.Stat(d.r.FS, real)
	return real, fi, err
}

// diagnoseKustomize reports why kustomize could not build the
// kustomization file (in appDir); it returns false when it finds nothing.
func diagnoseKustomize(r *yamlio.Reader, file string, ps *problem.Collector) bool {
	d := &kustDiagnosis{r: r, k: &kustFS{r: r}, ps: ps, seen: map[string]bool{}}
	before := len(ps.List)
	d.kustomization(file)
	return len(ps.List) > before
}

// kustomizationFields are the fields a kustomization may have, by name.
var kustomizationFields = sync.OnceValue(func() []string {
	var out []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
			case name == "" && strings.Contains(opts, "inline") || f.Anonymous && name == "":
				walk(f.Type)
			case name != "":
				out = append(out, name)
			}
		}
	}
	walk(reflect.TypeOf(types.Kustomization{}))
	slices.Sort(out)
	return out
})

// kustomization checks one kustomization file and what it names; it stops
// at the first kustomization with a problem.
func (d *kustDiagnosis) kustomization(file string) {
	if d.seen[file] {
		return
	}
	d.seen[file] = true
	data, ok := d.r.Read(file, false)
	if !ok {
		return
	}
	root := d.parse(file, data)
	if root == nil {
		return
	}
	if root.Kind != yaml.MappingNode {
		d.ps.Add(problem.Pos{File: file, Line: root.Line, Col: root.Column}, "", "a kustomization is a mapping, not %s", yamlio.KindName(root))
		return
	}
	known := kustomizationFields()
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if !slices.Contains(known, k.Value) {
			d.ps.Add(problem.Pos{File: file, Line: k.Line, Col: k.Column}, "", "unknown field %q in a kustomization%s", k.Value, hookspec.Suggest(k.Value, known))
		}
	}
	if len(d.ps.List) > 0 {
		return
	}
	dir := path.Dir(file)
	for _, field := range []string{"resources", "bases", "components"} {
		for _, it := range seqScalars(yamlio.MapGet(root, field)) {
			d.entry(file, dir, field, it)
		}
	}
	for _, field := range []string{"patches", "patchesJson6902"} {
		for _, it := range seqItems(yamlio.MapGet(root, field)) {
			if p := yamlio.MapGet(it, "path"); p != nil && p.Kind == yaml.ScalarNode {
				d.File(file, dir, "patch", p, true)
			}
		}
	}
	for _, it := range seqScalars(yamlio.MapGet(root, "patchesStrategicMerge")) {
		if !strings.Contains(it.Value, "\n") {
			d.File(file, dir, "patch", it, true)
		}
	}
	for _, field := range []string{"configMapGenerator", "secretGenerator"} {
		for _, g := range seqItems(yamlio.MapGet(root, field)) {
			for _, key := range []string{"files", "envs"} {
				for _, it := range seqScalars(yamlio.MapGet(g, key)) {
					_, p, ok := strings.Cut(it.Value, "=")
					if !ok {
						p = it.Value
					}
					c := *it
					c.Value = p
					d.File(file, dir, "file", &c, false)
				}
			}
			if e := yamlio.MapGet(g, "env"); e != nil && e.Kind == yaml.ScalarNode {
				d.File(file, dir, "file", e, false)
			}
		}
	}
}

// parse parses a file kustomize reads, reporting where it does not parse.
func (d *kustDiagnosis) parse(file string, data []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.ps.AddErr(yamlio.ErrorProblem(file, data, err))
		return nil
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1}
	}
	return doc.Content[0]
}

// entry checks a resource, base or component: a file, or a directory with
// a kustomization.
func (d *kustDiagnosis) entry(file, dir, field string, it *yaml.Node) {
	v := it.Value
	if strings.Contains(v, "\n") || isRemoteFile(v) || IsGitURL(v) {
		return
	}
	what := strings.TrimSuffix(field, "s")
	pos, target, real, fi, ok := d.locate(file, dir, what, it, field == "resources", true)
	if !ok {
		return
	}
	if !fi.IsDir() {
		if field != "resources" {
			d.ps.Add(pos, "", "%s %q is a file; a %s is a directory with a kustomization.yaml", what, v, what)
			return
		}
		if !below(dir, real) {
			d.ps.Add(pos, "", "%s", rootOnly(what, v, dir, target, real))
			return
		}
		if data, ok := d.r.Read(real, false); ok {
			d.documents(target, data)
		}
		return
	}
	k := ""
	for _, name := range KustomizationFiles {
		if _, fi, err := d.stat(path.Join(real, name)); err == nil && !fi.IsDir() {
			k = path.Join(real, name)
			break
		}
	}
	if k == "" {
		d.ps.Add(pos, "", "%s %q is a directory without a kustomization.yaml: add one, or list its files", what, v)
		return
	}
	d.kustomization(k)
}

// locate finds the file or directory an entry of a kustomization names,
// relative to dir. It reports one outside the repository, or missing
// (with a hint among files and/or directories), and then returns ok
// false, as it does for any other error (kustomize's words then stand).
func (d *kustDiagnosis) locate(file, dir, what string, it *yaml.Node, files, dirs bool) (pos problem.Pos, target, real string, fi fs.FileInfo, ok bool) {
	v := it.Value
	pos = problem.Pos{File: file, Line: it.Line, Col: it.Column}
	target = path.Join(dir, v)
	if escapes(target) {
		d.ps.Add(pos, "", "%s %q is outside the repository; hookgen reads nothing outside it", what, v)
		return pos, target, "", nil, false
	}
	real, fi, err := d.stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		d.ps.Add(pos, "", "%s %q not found%s", what, v, d.hint(dir, v, files, dirs))
	}
	return pos, target, real, fi, err == nil
}

// File checks a patch or generator source: a file that is there (and, for
// a patch, parses).
func (d *kustDiagnosis) File(file, dir, what string, it *yaml.Node, parse bool) {
	v := it.Value
	if v == "" || yamlio.IsNull(it) || strings.Contains(v, "\n") || isRemoteFile(v) {
		return
	}
	pos, target, real, fi, ok := d.locate(file, dir, what, it, true, false)
	switch {
	case !ok:
	case !below(dir, real):
		d.ps.Add(pos, "", "%s", rootOnly(what, v, dir, target, real))
	case fi.IsDir():
		d.ps.Add(pos, "", "%s %q is a directory, not a file", what, v)
	case parse:
		if data, ok := d.r.Read(real, false); ok {
			d.documents(target, data)
		}
	}
}

// documents reports where a YAML file does not parse.
func (d *kustDiagnosis) documents(file string, data []byte) {
	for _, c := range SplitDocuments(data) {
		var doc yaml.Node
		if err := yaml.Unmarshal(c.Text, &doc); err != nil {
			p := yamlio.ErrorProblem(file, c.Text, err)
			if p.Pos.Line > 0 {
				p.Pos.Line += c.Line - 1
			}
			d.ps.AddErr(p)
			return
		}
	}
}

// hint says which part of a path that is not there is missing: the
// closest name in the directory it was looked for in (a file or a
// directory, as asked, for the last part; a directory before it), or what
// kustomize resolves a path against.
func (d *kustDiagnosis) hint(dir, v string, files, dirs bool) string {
	cur := dir
	parts := strings.Split(path.Clean(v), "/")
	for i, part := range parts {
		next := path.Join(cur, part)
		last := i == len(parts)-1
		if _, fi, err := d.stat(next); err == nil && (last || fi.IsDir()) {
			cur = next
			continue
		}
		var names []string
		if !escapes(cur) {
			entries, _ := fs.ReadDir(d.r.FS, cur)
			for _, e := range entries {
				if e.IsDir() && (dirs || !last) || !e.IsDir() && files && last {
					names = append(names, e.Name())
				}
			}
		}
		s := hookspec.Suggest(part, names)
		if !strings.HasPrefix(s, " (did you mean") {
			s = "; the path is relative to the kustomization's directory (" + displayDir(dir) + ")"
		}
		if last {
			return s
		}
		return fmt.Sprintf(": %s has no directory %q%s", displayDir(cur), part, s)
	}
	return ""
}

// below reports whether target is dir or below it: kustomize's default
// load restrictor (rootOnly) reads only such files.
func below(dir, target string) bool {
	return dir == "." || target == dir || strings.HasPrefix(target, dir+"/")
}

func rootOnly(what, v, dir, target, real string) string {
	link := ""
	if real != target {
		link = " (a symlink to " + real + ")"
	}
	return what + " " + strconv.Quote(v) + link + " is outside the kustomization's directory (" + displayDir(dir) + "): kustomize reads files only in and below it; move the file there, or put it in a base or component the kustomization lists"
}

// displayDir is a directory as messages name it.
func displayDir(dir string) string {
	if dir == "." {
		return "the repository root"
	}
	return dir + "/"
}

func seqItems(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func seqScalars(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for _, it := range seqItems(n) {
		if it.Kind == yaml.ScalarNode && it.Value != "" && !yamlio.IsNull(it) {
			out = append(out, it)
		}
	}
	return out
}

// kustomizeMessage makes kustomize's error readable: the innermost message
// of its chain, with paths of the repository instead of kustomize's
// virtual ones.
func kustomizeMessage(err error) string {
	msg := strings.TrimSpace(err.Error())
	// "accumulating resources: accumulation err='accumulating resources
	// from 'x': <cause>': must build at directory: <cause again>"
	for {
		i := strings.LastIndex(msg, "accumulation err='")
		if i < 0 {
			break
		}
		inner := msg[i+len("accumulation err='"):]
		if j := strings.Index(inner, "': must build at directory"); j >= 0 {
			inner = inner[:j]
		}
		msg = inner
	}
	msg = strings.TrimPrefix(msg, "accumulating resources: ")
	// "trouble configuring builtin PatchTransformer with config: `<the
	// configuration>`: <cause>"
	msg = pluginConfigRE.Get().ReplaceAllString(msg, "$1: ")
	msg = virtualPathRE.Get().ReplaceAllStringFunc(msg, func(s string) string {
		q := s[:1]
		return q + strings.TrimPrefix(s[1:len(s)-1], "/") + q
	})
	return msg
}

var pluginConfigRE = lazyre.New("trouble configuring builtin (\\w+) with config: `[^`]*`: ")

// virtualPathRE matches a quoted absolute path of kustomize's file
// system, which is the repository.
var virtualPathRE = lazyre.New(`'/[^' ]*'`)
