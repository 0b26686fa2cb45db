package realnode

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hookgen/hookgen/test/internal/cmpserver"
	harness "github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/node"
	"github.com/hookgen/hookgen/test/internal/tools"
	"github.com/hookgen/hookgen/test/loop"
)

// hookgenDir holds the hookgen binary built once for the package: the
// sidecar runs it, and the runner image holds it.
var hookgenDir string

func TestMain(m *testing.M) {
	os.Exit(node.RunInNamespaces(func() int {
		return tools.WithHookgen(func(dir string) int {
			hookgenDir = dir
			return m.Run()
		})
	}))
}

// argo is the Argo CD release the real node's loop runs (the kwok loop
// covers both).
const argo = cmpserver.ArgoV3

// scenario runs on the shared stack, in parallel with the others.
type scenario struct {
	name string
	run  func(t *testing.T, s *harness.Stack)
}

// TestRealNode brings up the loop on a real node and runs every scenario
// on it in parallel, each with its own Application and namespace.
func TestRealNode(t *testing.T) {
	ctx := context.Background()
	opts, err := loop.RealNodeOptions(ctx, argo, hookgenDir, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s := harness.Start(t, opts)
	if err := loop.CheckPlugin(s); err != nil {
		t.Fatal(err)
	}
	t.Logf("stack up in %.1fs: %s; node: %s", time.Since(start).Seconds(), timings(s.Timings), timings(s.Node.Timings))
	t.Cleanup(func() { t.Logf("stack RSS: %s", rss(s)) })
	t.Run("scenarios", func(t *testing.T) {
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				sc.run(t, s)
			})
		}
	})
}

func timings(m map[string]time.Duration) string {
	type kv struct {
		k string
		v time.Duration
	}
	var l []kv
	for k, v := range m {
		l = append(l, kv{k, v})
	}
	for i := range l {
		for j := i + 1; j < len(l); j++ {
			if l[j].v < l[i].v {
				l[i], l[j] = l[j], l[i]
			}
		}
	}
	out := ""
	for _, e := range l {
		out += fmt.Sprintf(" %s %.1fs", e.k, e.v.Seconds())
	}
	return out
}
