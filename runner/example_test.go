package runner_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/hookgen/hookgen/runner"
)

// A webhook hook as a generated Job runs it: the context and the secret URL
// in the environment, the body template in a flag.
func ExampleMain_webhook() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("%s %s\n%s\n", r.Method, r.URL.Path, body)
	}))
	defer srv.Close()

	environ := []string{
		"HOOKGEN_APP_NAME=my-app",
		"HOOKGEN_APP_REVISION_SHORT=abc1234",
		"HOOKGEN_HOOK_PHASE=PostSync",
		"HOOKGEN_HOOK_OUTCOME=succeeded",
		"WEBHOOK_URL=" + srv.URL + "/hooks/deploys",
	}
	code := runner.Main(context.Background(), []string{
		"webhook",
		"--body", `{"content": {{ json .Text }}, "phase": "{{ .Hook.Phase | lower }}"}`,
	}, environ, os.Stdout, io.Discard)
	fmt.Println("exit", code)
	// Output:
	// POST /hooks/deploys
	// {"content": "my-app sync succeeded at abc1234", "phase": "postsync"}
	// exit 0
}

// A failing smoke test fails the hook: http-check is strict by default.
func ExampleMain_httpCheck() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not here", http.StatusNotFound)
	}))
	defer srv.Close()

	var log strings.Builder
	code := runner.Main(context.Background(), []string{"http-check", "--url", srv.URL + "/healthz"}, nil, io.Discard, &log)
	fmt.Println("exit", code)
	fmt.Println(strings.Contains(log.String(), "404 Not Found, want 200"))
	// Output:
	// exit 1
	// true
}

func ExampleRender() {
	ctx := runner.Context{
		App:  runner.App{Name: "my-app", Revision: "abc1234def5678"},
		Hook: runner.Hook{Phase: "SyncFail", Outcome: "failed"},
	}
	out, err := runner.Render(`{{ upper .Hook.Outcome }}: {{ .App.Name }}@{{ trunc 7 .App.Revision }} ($(app.name) is left alone)`, ctx)
	fmt.Println(out, err)
	// Output:
	// FAILED: my-app@abc1234 ($(app.name) is left alone) <nil>
}
