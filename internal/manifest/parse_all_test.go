package manifest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// TestParseAllAsOneByOne parses files with parseAll, on several
// goroutines, and with ParseManifests one after another: the manifests,
// the problems and the alias budget they share must be the same, with
// files that spend the budget until it breaks among files that cannot.
func TestParseAllAsOneByOne(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	docs := []func(i int) string{
		func(i int) string {
			return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: block-%d\ndata:\n  k: \"v %d\"\n", i, i)
		},
		func(i int) string {
			return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flow-%d, labels: {a: b}}\ndata: {k: v}\n", i)
		},
		func(i int) string {
			return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alias-%d\ndata: &d {a: \"1\", b: \"2\", c: \"3\"}\nx: [*d, *d, *d, *d]\n", i)
		},
		func(i int) string { return fmt.Sprintf("kind: ConfigMap\nmetadata: {name: broken-%d\n", i) },
		func(i int) string { return fmt.Sprintf("just: some\nvalues: %d\n", i) },
		func(i int) string {
			return fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: two-%d\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two-b-%d\n", i, i)
		},
	}
	for _, keep := range []bool{false, true} {
		for _, maxNodes := range []int{100_000, 200} {
			t.Run(fmt.Sprintf("keep %v, max-nodes %d", keep, maxNodes), func(t *testing.T) {
				var files []listed
				for i := range 90 {
					files = append(files, listed{fmt.Sprintf("app/f-%02d.yaml", i), []byte(docs[i%len(docs)](i))})
				}
				lim := yamlio.DefaultLimits()
				lim.MaxNodes = maxNodes
				var want []*Manifest
				one := &yamlio.Reader{Limits: lim}
				wantPs := &problem.Collector{}
				for _, f := range files {
					want = append(want, ParseManifests(f.path, f.data, lim, keep, &one.Aliases, wantPs)...)
				}
				batch := &yamlio.Reader{Limits: lim}
				ps := &problem.Collector{}
				got := parseAll(batch, files, keep, ps)
				if g, w := listManifests(got), listManifests(want); g != w {
					t.Errorf("parseAll:\n%s\none by one:\n%s", g, w)
				}
				if g, w := ps.List.Sorted().Error(), wantPs.List.Sorted().Error(); g != w {
					t.Errorf("problems:\n%s\none by one:\n%s", g, w)
				}
				if batch.Aliases != one.Aliases {
					t.Errorf("alias budget %+v, one by one %+v", batch.Aliases, one.Aliases)
				}
				if maxNodes < 1000 && !strings.Contains(wantPs.List.Error(), "in all (limit max-nodes)") {
					t.Errorf("the shared alias budget never broke:\n%s", wantPs.List.Error())
				}
			})
		}
	}
}

func listManifests(ms []*Manifest) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s:%d %s %s %s/%s raw=%q tree=%v\n", m.File, m.Line, m.APIVersion, m.Kind, m.Namespace, m.Name, m.Raw, m.Tree != nil)
	}
	return b.String()
}
