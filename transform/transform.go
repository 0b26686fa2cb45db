package transform

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/jobgen"
	"github.com/hookgen/hookgen/internal/judge"
	"github.com/hookgen/hookgen/internal/manifest"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Input is everything one run reads.
type Input struct {
	// Repo is the repository, rooted at its root: nothing outside it is read.
	Repo fs.FS
	// AppDir is the application's directory in Repo ("apps/api"), "." for the root.
	AppDir string
	// Config is the sidecar's config directory (platform templates), or nil.
	Config fs.FS
	// Context is the Application's context: app.*, env.*, runner.image.
	Context Context
	// Limits bound what is read; the zero value means DefaultLimits.
	Limits Limits
	// Overrides are the Application's parameters.
	Overrides Overrides
}

// Run reads the hook declarations, templates and manifests and returns the
// resources to print. On bad input it returns nil and a Problems error
// listing every problem found.
func Run(in Input) (*Result, error) {
	st, err := newState(in)
	if err != nil {
		return nil, err
	}
	ps := st.ps
	before := len(ps.List)
	manifests, namespace := manifest.AppManifests(st.repo, st.appDir, st.sel, false, ps)
	notes := st.annotate.Apply(manifests, len(ps.List) == before, ps)
	g := &jobgen.Generator{Ctx: st.ctx, Templates: st.templates, Defaults: st.defaults, Origins: st.o, Ps: ps, Policy: st.cfg.Policy, FromParams: st.fromParams}
	var jobs []*Job
	count := 0
	for _, h := range st.merged {
		if h.Enabled != nil && !*h.Enabled {
			continue
		}
		if count++; count > st.lim.MaxHooks {
			ps.Add(h.Pos(), "", "more than %d hooks (limit max-hooks)", st.lim.MaxHooks)
			break
		}
		jobs = append(jobs, g.Generate(h)...)
	}
	manifest.FollowNamespace(jobs, namespace)
	checkDeleteNamespaces(jobs, manifests, st.ctx, st.merged, ps)
	// Last: the judge reads the final stream.
	judge.Judge(jobs, manifests, st.cfg.Policy, st.ctx, st.o, ps)
	if err := ps.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(jobs, func(a, b *Job) int {
		return cmp.Or(
			cmp.Compare(a.Phase.Order(), b.Phase.Order()),
			cmp.Compare(a.Wave, b.Wave),
			cmp.Compare(a.Name, b.Name),
		)
	})
	return &Result{Manifests: manifests, Jobs: jobs, Notes: notes, ArgoCD: in.Context.ArgoCD}, nil
}

// state is a run after loading: configuration, declarations and
// templates, merged.
type state struct {
	ps         *problem.Collector
	o          *problem.Origins
	cfg        *Config
	lim        Limits
	ctx        Context
	repo       *yamlio.Reader
	appDir     string
	templates  Templates
	defaults   Knobs
	merged     []*hookset.MergedHook
	sel        *Manifests
	annotate   manifest.Annotations
	fromParams map[*yaml.Node]bool // values that came from Application parameters
}

// load reads and merges the declarations, and returns the problems found.
func load(in Input) (*state, error) {
	st, err := newState(in)
	if err != nil {
		return nil, err
	}
	if err := st.ps.Err(); err != nil {
		return nil, err
	}
	return st, nil
}

// newState loads a run; problems accumulate in its ps. The error is for
// an Input that cannot be used at all.
func newState(in Input) (*state, error) {
	if in.Repo == nil {
		return nil, errors.New("transform: no repository")
	}
	if in.Limits == (Limits{}) {
		in.Limits = yamlio.DefaultLimits()
	}
	appDir := path.Clean(strings.TrimPrefix(in.AppDir, "/"))
	if !fs.ValidPath(appDir) {
		return nil, fmt.Errorf("transform: app directory %q is not inside the repository", in.AppDir)
	}
	st := &state{ps: &problem.Collector{}, o: problem.NewOrigins(), appDir: appDir, fromParams: map[*yaml.Node]bool{}}
	ps := st.ps
	st.cfg = loadConfig(in.Config, in.Limits, ps, st.o, false)
	st.lim = st.cfg.Policy.Limits(in.Limits)
	st.repo = &yamlio.Reader{FS: in.Repo, Limits: st.lim, Problems: ps}
	st.ctx = in.Context
	if img := st.cfg.Policy.Spec.RunnerImage; img != "" {
		st.ctx.RunnerImage = img
	}

	// Hook declarations: the policy's injected hooks, then the root's, down
	// to the app's, then the Application's parameters.
	sets := []*HookSet{st.cfg.injected()}
	found := false
	for _, dir := range hookset.SpecDirs(appDir) {
		file := path.Join(dir, SpecFile)
		data, ok := st.repo.Read(file, false)
		misnamedSpec(st.repo, dir, ok, ps)
		if !ok {
			continue
		}
		found = true
		if set := hookset.ParseHookSet(file, data, st.lim, ps, st.o); set != nil {
			sets = append(sets, set)
		}
	}
	if !found && ps.Empty() {
		ps.Add(Pos{File: path.Join(appDir, SpecFile)}, "", "no %s here or in a parent directory up to the repository root; is the Application's source path right?", SpecFile)
	}
	if !in.Overrides.Empty() {
		sets = append(sets, overrideSet(in.Overrides, sets, ps, st.fromParams))
	}

	st.defaults, st.merged, st.sel = hookset.MergeSets(sets)
	st.templates = st.cfg.Templates.Clone()
	addRepoTemplates(st.templates, st.repo, ps)
	addBuiltins(st.templates, st.merged, ps)
	st.annotate = manifest.CollectAnnotations(sets, appDir, ps)
	st.cfg.checkInjected(st.merged, ps)
	return st, nil
}

// misnamedSpecFiles are names a hook declaration may be given by mistake.
// hookgen does not read them: Argo CD's discovery (plugin.yaml) matches
// only the exact name hookgen.yaml, so an app whose declaration had
// another name would generate its hooks only when the Application names
// the plugin, and never when Argo CD picks the plugin by itself.
var misnamedSpecFiles = []string{"hookgen.yml", ".hookgen.yaml", ".hookgen.yml", "hookgen.yaml.yaml"}

// misnamedSpec reports a declaration under a name hookgen does not read in
// dir, which would otherwise be ignored without a word. spec says whether
// dir has a hookgen.yaml.
func misnamedSpec(r *yamlio.Reader, dir string, spec bool, ps *problem.Collector) {
	for _, name := range misnamedSpecFiles {
		file := path.Join(dir, name)
		fi, err := fs.Stat(r.FS, file)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if spec {
			ps.Add(Pos{File: r.Prefix + file}, "", "hookgen reads only %s, which is beside it: move its hooks into %s and remove it", SpecFile, SpecFile)
		} else {
			ps.Add(Pos{File: r.Prefix + file}, "", "hookgen reads only %s: rename this file to %s (Argo CD discovers the plugin by that exact name too)", SpecFile, SpecFile)
		}
	}
}

// addRepoTemplates adds the repository's templates; they may add names,
// never shadow a built-in or platform template.
func addRepoTemplates(ts Templates, repo *yamlio.Reader, ps *problem.Collector) {
	for _, t := range readTemplateDir(repo, ".hookgen/templates", OriginRepo, ps, nil) {
		origin := OriginBuiltin // of a built-in template ts may not hold yet
		if old := ts[t.Metadata.Name]; old != nil {
			origin = old.OriginKind
		}
		if ts[t.Metadata.Name] != nil || builtins()[t.Metadata.Name] != nil {
			ps.Add(t.Src.Pos, "", "repository template %q would shadow the %s template of that name; choose another name", t.Metadata.Name, origin)
			continue
		}
		ts[t.Metadata.Name] = t
	}
}

// readTemplateDir reads every *.yaml and *.yml HookTemplate file of dir,
// but those named in skip. Hidden files are left out, which also leaves out
// the ..data links of a mounted ConfigMap. With others non-nil (a config
// directory), files that are not hookgen's are left out too and named
// there (configFile).
func readTemplateDir(r *yamlio.Reader, dir, origin string, ps *problem.Collector, others *Problems, skip ...string) []*HookTemplate {
	fi, ok := r.Stat(dir)
	if !ok {
		return nil
	}
	if !fi.IsDir() {
		ps.Add(Pos{File: r.Prefix + dir}, "", "expected a directory of HookTemplate files")
		return nil
	}
	entries, err := fs.ReadDir(r.FS, dir)
	if err != nil {
		r.Fail(dir, err)
		return nil
	}
	var out []*HookTemplate
	for _, e := range entries {
		name := e.Name()
		file := path.Join(dir, name)
		if strings.HasPrefix(name, ".") || slices.Contains(skip, name) {
			continue
		}
		if path.Ext(name) != ".yaml" && path.Ext(name) != ".yml" {
			if others != nil && e.Type().IsRegular() {
				*others = append(*others, Problem{Pos: Pos{File: r.Prefix + file}, Msg: "note: skipped, not a .yaml file"})
			}
			continue
		}
		data, ok := r.Read(file, true)
		if !ok {
			continue
		}
		if others != nil {
			if what, own := configFile(name, data, r.Limits); !own {
				*others = append(*others, Problem{Pos: Pos{File: r.Prefix + file}, Msg: "note: skipped, not a HookTemplate: " + what})
				continue
			}
		}
		out = append(out, hookset.ParseTemplates(r.Prefix+file, data, origin, r.Limits, ps)...)
	}
	return out
}

// checkDeleteNamespaces refuses PostDelete hooks in a Namespace the
// application itself creates: Argo CD deletes the namespace with the app
// and would wait forever for a hook that cannot run there.
func checkDeleteNamespaces(jobs []*Job, manifests []*Manifest, ctx Context, hooks []*hookset.MergedHook, ps *problem.Collector) {
	nss := manifest.Namespaces(manifests)
	if len(nss) == 0 {
		return
	}
	for _, j := range jobs {
		if j.Phase != PostDelete {
			continue
		}
		ns := cmp.Or(j.Namespace, ctx.App.Namespace)
		where, ok := nss[ns]
		if !ok {
			continue
		}
		pos := j.Pos
		for _, h := range hooks {
			if h.Name == j.Hook {
				pos = h.At("namespace")
			}
		}
		ps.Add(pos, j.Hook, "PostDelete hook runs in namespace %q, which the application creates (%s) and deletes before the hook runs; Argo CD would wait forever: set namespace to one that outlives the application", ns, where)
	}
}
