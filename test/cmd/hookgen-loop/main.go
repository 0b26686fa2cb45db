// Command hookgen-loop runs an application directory through Argo CD's
// whole sync loop on this machine, with hookgen as the cmp-server plugin,
// and prints what happened as JSON. Run it from the test/ directory:
//
//	eval "$(test/tools/build.sh)"          # from the repository root, once
//	cd test && go run ./cmd/hookgen-loop --app ../examples/shop --fail migrate --syncs 2 --delete
//
// See "go run ./cmd/hookgen-loop -h" and package
// github.com/hookgen/hookgen/test/loop.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	harness "github.com/hookgen/hookgen/test/internal/loop"
	"github.com/hookgen/hookgen/test/internal/node"
	"github.com/hookgen/hookgen/test/loop"
)

func main() {
	run := func() int {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return loop.Command(ctx, os.Args[1:], os.Stdout, os.Stderr, loop.CommandEnv{})
	}
	// A real node needs private mount and network namespaces (as root);
	// kwok only a network namespace, which a user namespace gives.
	if loop.WantsRealNode(os.Args[1:]) {
		os.Exit(node.RunInNamespaces(run))
	}
	os.Exit(harness.RunInNetns(run))
}
