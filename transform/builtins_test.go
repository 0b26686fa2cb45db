package transform

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// TestAddBuiltins checks which built-in templates a run decodes: those its
// hooks use and no other template replaces; all of them when a hook names
// none or an unknown one, whose message lists them.
func TestAddBuiltins(t *testing.T) {
	all := subst.SortedKeys(builtins())
	platformJob := &HookTemplate{OriginKind: OriginPlatform}
	for _, tc := range []struct {
		name     string
		uses     []string // "" a hook without a template; "-" a raw job
		platform bool     // a platform template "job"
		want     []string
	}{
		{"none", nil, false, nil},
		{"raw job", []string{"-"}, false, nil},
		{"one", []string{"job"}, false, []string{"job"}},
		{"two, one twice", []string{"slack", "job", "slack"}, false, []string{"job", "slack"}},
		{"replaced by the platform", []string{"job", "email"}, true, []string{"email", "job"}},
		{"unknown", []string{"job", "nope"}, false, all},
		{"no template", []string{"email", ""}, false, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := Templates{}
			if tc.platform {
				ts["job"] = platformJob
			}
			var hooks []*hookset.MergedHook
			for _, u := range tc.uses {
				h := &hookset.MergedHook{Hook: hookspec.Hook{Uses: u}}
				if u == "-" {
					h.Uses, h.Job = "", yamlio.NewMap()
				}
				hooks = append(hooks, h)
			}
			var ps problem.Collector
			addBuiltins(ts, hooks, &ps)
			if !ps.Empty() {
				t.Fatal(ps.Err())
			}
			if got := ts.Names(); !slices.Equal(got, tc.want) {
				t.Errorf("templates %v, want %v", got, tc.want)
			}
			if tc.platform && ts["job"] != platformJob {
				t.Error("a built-in template replaced the platform's")
			}
			for name, tmpl := range ts {
				if tmpl != platformJob && (tmpl.Metadata.Name != name || tmpl.OriginKind != OriginBuiltin) {
					t.Errorf("%s: got template %q of origin %s", name, tmpl.Metadata.Name, tmpl.OriginKind)
				}
			}
		})
	}
}

// TestBuiltinsFromCacheAsFromYAML checks that the templates decoded from
// the node cache are those parsing their YAML gives, and that each is
// decoded once.
func TestBuiltinsFromCacheAsFromYAML(t *testing.T) {
	builtinsAgree(t)
	a, _ := builtins().get("job")
	b, _ := builtins().get("job")
	if a == nil || a != b {
		t.Error("the built-in template job is decoded again, or not at all")
	}
	if none, err := builtins().get("nope"); none != nil || err != nil {
		t.Errorf("an unknown built-in template: %v, %v", none, err)
	}
}

// TestDecodeBuiltinNamedAsFile checks that a built-in template file holds
// one template, named as the file: the run decodes a template by its
// file's name.
func TestDecodeBuiltinNamedAsFile(t *testing.T) {
	text, err := builtinFS.ReadFile("templates/job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	job := string(text)
	for _, tc := range []struct{ name, text, want string }{
		{"other.yaml", job, "one template, named as the file: other"},
		{"two.yaml", strings.Replace(job, "name: job", "name: two", 1) + "---\n" + job, "one template, named as the file: two"},
		{"broken.yaml", "kind: [", "built-in templates: builtin:broken.yaml"},
	} {
		fsys := fstest.MapFS{"templates/" + tc.name: {Data: []byte(tc.text)}}
		tmpl, err := decodeBuiltin(fsys, "templates/"+tc.name, hookset.NodeFile{}, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) || tmpl != nil {
			t.Errorf("%s: got %v, %v; want an error with %q", tc.name, tmpl, err, tc.want)
		}
	}
}

// builtinsAgree fails tb unless every built-in template decoded from the
// node cache is the one parsing its YAML gives.
func builtinsAgree(tb testing.TB) {
	tb.Helper()
	fromCache, err := newBuiltinSet(builtinNodes).all()
	if err != nil {
		tb.Fatal(err)
	}
	fromYAML, err := newBuiltinSet(nil).all()
	if err != nil {
		tb.Fatal(err)
	}
	if len(fromCache) < 7 || !reflect.DeepEqual(fromCache, fromYAML) {
		tb.Fatalf("the %d templates from the cache differ from the %d parsed from YAML", len(fromCache), len(fromYAML))
	}
}
