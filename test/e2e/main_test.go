package e2e_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/hookgen/hookgen/test/e2e"
	"github.com/hookgen/hookgen/test/internal/cmpserver"
	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

// argos are the Argo CD releases every plugin test runs against.
var argos = []cmpserver.Argo{cmpserver.ArgoV2, cmpserver.ArgoV3}

func TestMain(m *testing.M) {
	if err := e2e.Setup(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	// cmpserver.Main keeps the temp dirs Argo CD's client leaves behind out
	// of /tmp.
	code := cmpserver.Main(m)
	if err := kubeapi.StopShared(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		code = max(code, 1)
	}
	if err := e2e.Teardown(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		code = max(code, 1)
	}
	os.Exit(code)
}
