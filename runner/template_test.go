package runner

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))

// testEnv is the environment a generated PostSync Job passes.
func testEnv(extra ...string) []string {
	return append([]string{
		"HOOKGEN_APP_NAME=my-app",
		"HOOKGEN_APP_NAMESPACE=shop",
		"HOOKGEN_APP_PROJECT=default",
		"HOOKGEN_APP_REVISION=abc1234def5678abc1234def5678abc1234def56",
		"HOOKGEN_APP_REVISION_SHORT=abc1234",
		"HOOKGEN_APP_REPO_URL=https://git.example.com/shop.git",
		"HOOKGEN_APP_PATH=apps/shop",
		"HOOKGEN_APP_TARGET_REVISION=main",
		"HOOKGEN_HOOK_NAME=notify",
		"HOOKGEN_HOOK_PHASE=PostSync",
		"HOOKGEN_HOOK_OUTCOME=succeeded",
	}, extra...)
}

func testContext(extra ...string) Context {
	env := parseEnviron(testEnv(extra...))
	return newContext(env, testNow, env["HOOKGEN_ARGOCD_URL"])
}

func TestNewContext(t *testing.T) {
	c := testContext("HOOKGEN_ARGOCD_URL=https://cd.example.com/")
	want := Context{
		App: App{
			Name: "my-app", Namespace: "shop", Project: "default",
			Revision: "abc1234def5678abc1234def5678abc1234def56", RevisionShort: "abc1234",
			RepoURL: "https://git.example.com/shop.git", Path: "apps/shop", TargetRevision: "main",
		},
		Hook:   Hook{Name: "notify", Phase: "PostSync", Outcome: "succeeded"},
		ArgoCD: ArgoCD{URL: "https://cd.example.com", AppURL: "https://cd.example.com/applications/my-app"},
		Time:   "2026-03-01T11:30:00Z",
	}
	if c != want {
		t.Errorf("newContext:\n got %+v\nwant %+v", c, want)
	}
	if empty := newContext(nil, testNow, ""); empty.App.Name != "" || empty.ArgoCD.AppURL != "" || empty.Time == "" {
		t.Errorf("empty environment: %+v", empty)
	}
}

func TestAppURL(t *testing.T) {
	for _, tt := range []struct{ base, name, want string }{
		{"https://cd.example.com", "my-app", "https://cd.example.com/applications/my-app"},
		{"https://cd.example.com", "team-a_my-app", "https://cd.example.com/applications/team-a/my-app"},
		{"https://cd.example.com/argo", "my-app", "https://cd.example.com/argo/applications/my-app"},
		{"https://cd.example.com", "_odd", "https://cd.example.com/applications/_odd"},
		{"https://cd.example.com", "", ""},
		{"", "my-app", ""},
	} {
		if got := appURL(tt.base, tt.name); got != tt.want {
			t.Errorf("appURL(%q, %q) = %q, want %q", tt.base, tt.name, got, tt.want)
		}
	}
}

func TestDefaultText(t *testing.T) {
	for _, tt := range []struct {
		phase, outcome, want string
	}{
		{"PostSync", "succeeded", "my-app sync succeeded at abc1234"},
		{"SyncFail", "failed", "my-app sync failed at abc1234"},
		{"PreSync", "started", "my-app sync started at abc1234"},
		{"Sync", "syncing", "my-app syncing at abc1234"},
		{"PreDelete", "deleting", "my-app deletion started at abc1234"},
		{"PostDelete", "deleted", "my-app deleted at abc1234"},
		{"PostSync", "", "my-app hook notify (PostSync) at abc1234"},
		{"PostSync", "rolled-back", "my-app rolled-back at abc1234"},
	} {
		c := testContext("HOOKGEN_HOOK_PHASE="+tt.phase, "HOOKGEN_HOOK_OUTCOME="+tt.outcome)
		got, err := Render(defaultText, c)
		if err != nil || got != tt.want {
			t.Errorf("%s/%s: got %q, %v; want %q", tt.phase, tt.outcome, got, err, tt.want)
		}
	}
	got, err := Render(defaultText, Context{})
	if err != nil || got != "application hook notification" {
		t.Errorf("empty context: got %q, %v", got, err)
	}
}

func TestDefaultBodies(t *testing.T) {
	c := testContext("HOOKGEN_APP_NAME=team-a_my \"app\"", "HOOKGEN_ARGOCD_URL=https://cd.example.com")
	c.Text = "line1\nline2 \"quoted\" <b>"
	body, err := Render(defaultWebhookBody, c)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Text string
		App  struct{ Name, RevisionShort string }
		Hook struct{ Phase, Outcome string }
		Argo struct{ AppURL string } `json:"argocd"`
		Time string
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("default webhook body is not JSON: %v\n%s", err, body)
	}
	if doc.Text != c.Text || doc.App.Name != c.App.Name || doc.Hook.Outcome != "succeeded" ||
		doc.Argo.AppURL != "https://cd.example.com/applications/team-a/my%20%22app%22" || doc.Time != c.Time {
		t.Errorf("webhook body: %+v\n%s", doc, body)
	}

	mail, err := Render(defaultEmailBody, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Application: team-a_my \"app\"", "Revision:    abc1234def5678", "Outcome:     succeeded", "Argo CD:     https://cd.example.com/applications/team-a/"} {
		if !strings.Contains(mail, want) {
			t.Errorf("email body lacks %q:\n%s", want, mail)
		}
	}
}

func TestRender(t *testing.T) {
	c := testContext()
	tests := []struct {
		name, tmpl, want, wantErr string
	}{
		{"fields", "{{ .App.Name }}/{{ .Hook.Phase }}/{{ .Hook.Outcome }}/{{ .App.RevisionShort }}", "my-app/PostSync/succeeded/abc1234", ""},
		{"time", "{{ .Time }}", "2026-03-01T11:30:00Z", ""},
		{"placeholders pass through", "$(app.name) at $(app.revisionShort) $$(x) {{ .App.Name }}", "$(app.name) at $(app.revisionShort) $$(x) my-app", ""},
		{"json", `{"t": {{ json "a\"b\n<c>" }}}`, `{"t": "a\"b\n<c>"}`, ""},
		{"upper lower trim", `{{ upper .App.Name }} {{ lower "ABC" }} [{{ trim "  x  " }}]`, "MY-APP abc [x]", ""},
		{"default", `{{ .ArgoCD.URL | default "none" }} {{ .App.Name | default "none" }}`, "none my-app", ""},
		{"trunc", `{{ trunc 7 .App.Revision }} {{ trunc 3 "héllo" }} {{ trunc 99 "ab" }}`, "abc1234 hél ab", ""},
		{"printf", `{{ printf "%s@%.3s" .App.Name .App.Revision }}`, "my-app@abc", ""},
		{"if else", `{{ if eq .Hook.Outcome "failed" }}bad{{ else }}good{{ end }}`, "good", ""},
		{"unknown field", "{{ .App.Nope }}", "", "can't evaluate field Nope"},
		{"unknown function", "{{ env \"HOME\" }}", "", `function "env" not defined`},
		{"syntax error", "{{ .App.Name ", "", "unclosed action"},
		{"range refused", "{{ range 1000000000 }}{{ end }}", "", "range is not allowed"},
		{"range in if refused", "{{ if true }}{{ range 5 }}x{{ end }}{{ end }}", "", "range is not allowed"},
		{"define refused", `{{ define "a" }}{{ template "a" }}{{ end }}x`, "", "not allowed"},
		{"template refused", `{{ template "x" }}`, "", "not allowed"},
		{"printf star width", `{{ printf "%*d" 1000000000 1 }}`, "", "'*' widths"},
		{"printf big width", `{{ printf "%999999999d" 1 }}`, "", "limited to 256"},
		{"printf growth", strings.Repeat(`{{ $x := "`+strings.Repeat("y", 1000)+`" }}`, 1) + `{{ printf "` + strings.Repeat("%s", 100) + `" ` + strings.Repeat("$x ", 100) + ` }}`, "", "could exceed"},
		{"template size", strings.Repeat("x", MaxTemplateSize+1), "", "limit is"},
		{"nested json blowup", nestJSON(40, `.App.Revision`), "", "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render(tt.tmpl, c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Render error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("Render = %q, want %q", got, tt.want)
			}
			if len(got) > MaxRenderedSize {
				t.Errorf("Render returned %d bytes, over the cap", len(got))
			}
		})
	}
}

func TestRenderOutputCap(t *testing.T) {
	// Each line is under the template cap; together they render past the
	// output cap through the context values.
	c := testContext("HOOKGEN_APP_REPO_URL=" + strings.Repeat("r", maxContextValue+500))
	if len(c.App.RepoURL) != maxContextValue {
		t.Fatalf("context value not capped: %d", len(c.App.RepoURL))
	}
	tmpl := strings.Repeat("{{ .App.RepoURL }}", 40)
	if _, err := Render(tmpl, c); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("Render over the cap: err = %v", err)
	}
}

func nestJSON(depth int, inner string) string {
	s := inner
	for range depth {
		s = "(json " + s + ")"
	}
	return "{{ " + s + " }}"
}
