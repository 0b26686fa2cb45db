package runner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestWebhookDefaultBody(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, status(http.StatusAccepted, ""))
	env := append(webhookEnv(srv), "HOOKGEN_ARGOCD_URL=https://cd.example.com", "HOOKGEN_APP_NAME=team-a_shop")
	res := runMain(t, env, "webhook")
	res.wantCode(t, ExitOK)
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	req := reqs[0]
	if req.Method != http.MethodPost || req.Path != "/hooks/sEcReT-PaTh-123" {
		t.Errorf("request %s %s", req.Method, req.Path)
	}
	for k, want := range map[string]string{"Content-Type": "application/json", "User-Agent": "hookgen-runner"} {
		if got := req.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if req.Header.Get("X-Hookgen-Signature") != "" {
		t.Errorf("signed without a key")
	}
	var doc map[string]any
	if err := json.Unmarshal(req.Body, &doc); err != nil {
		t.Fatalf("body: %v\n%s", err, req.Body)
	}
	want := map[string]any{
		"text": "team-a_shop sync succeeded at abc1234",
		"app": map[string]any{
			"name": "team-a_shop", "namespace": "shop", "project": "default",
			"revision": "abc1234def5678abc1234def5678abc1234def56", "revisionShort": "abc1234",
			"repoURL": "https://git.example.com/shop.git", "path": "apps/shop", "targetRevision": "main",
		},
		"hook":   map[string]any{"name": "notify", "phase": "PostSync", "outcome": "succeeded"},
		"argocd": map[string]any{"url": "https://cd.example.com", "appURL": "https://cd.example.com/applications/team-a/shop"},
	}
	for k, v := range want {
		g, _ := json.Marshal(doc[k])
		w, _ := json.Marshal(v)
		if string(g) != string(w) {
			t.Errorf("%s:\n got %s\nwant %s", k, g, w)
		}
	}
	if ts, _ := doc["time"].(string); !strings.HasSuffix(ts, "Z") || len(ts) != len("2026-03-01T11:30:00Z") {
		t.Errorf("time %q is not RFC 3339 UTC", doc["time"])
	}
}

func TestWebhookHeadersSignatureAndTemplate(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, ok())
	const (
		hmacKey     = "hmac-KEY-0123456789"
		tokenEnv    = "tok-FROM-env-42"
		tokenFile   = "tok-FROM-file-43"
		bodyTmpl    = `{"content": {{ json .Text }}, "who": "{{ .App.Name }}", "raw": "$(app.name)"}`
		wantContent = "deploy my-app: SUCCEEDED"
	)
	env := append(webhookEnv(srv), "WEBHOOK_HMAC_SECRET="+hmacKey, "API_TOKEN="+tokenEnv)
	res := runMain(t, env, "webhook", "--method=put",
		"--header", "X-Team: payments", "--header", "X-Multi: a", "--header", "X-Multi: b",
		"--header-from-env", "Authorization=API_TOKEN",
		"--header-from-file", "X-File-Token="+writeFile(t, "tok", tokenFile+"\n"),
		"--signature-header=X-Signature-256",
		"--text", "deploy {{ .App.Name }}: {{ upper .Hook.Outcome }}",
		"--body", bodyTmpl)
	res.wantCode(t, ExitOK)
	res.noLeak(t, hmacKey, tokenEnv, tokenFile, "sEcReT-PaTh-123")
	req := srv.requests()[0]
	if req.Method != http.MethodPut {
		t.Errorf("method %s", req.Method)
	}
	for k, want := range map[string]string{
		"X-Team": "payments", "Authorization": tokenEnv, "X-File-Token": tokenFile,
	} {
		if got := req.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if got := req.Header.Values("X-Multi"); strings.Join(got, ",") != "a,b" {
		t.Errorf("X-Multi %q", got)
	}
	mac := hmac.New(sha256.New, []byte(hmacKey))
	mac.Write(req.Body)
	if got, want := req.Header.Get("X-Signature-256"), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("signature %q, want %q", got, want)
	}
	var doc map[string]string
	if err := json.Unmarshal(req.Body, &doc); err != nil {
		t.Fatalf("body %s: %v", req.Body, err)
	}
	if doc["content"] != wantContent || doc["who"] != "my-app" || doc["raw"] != "$(app.name)" {
		t.Errorf("body %v", doc)
	}
	if !strings.Contains(res.stderr, "signed in X-Signature-256") {
		t.Errorf("log does not say the body is signed")
	}
}

func TestWebhookBodyFileAndHMACFile(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, ok())
	body := writeFile(t, "body.json", `{"phase": {{ json .Hook.Phase }}}`)
	key := writeFile(t, "key", "file-key-xyz\n")
	res := runMain(t, webhookEnv(srv), "webhook", "--body-file", body, "--hmac-secret-file", key)
	res.wantCode(t, ExitOK)
	req := srv.requests()[0]
	if string(req.Body) != `{"phase": "PostSync"}` {
		t.Errorf("body %s", req.Body)
	}
	mac := hmac.New(sha256.New, []byte("file-key-xyz")) // trailing newline trimmed
	mac.Write(req.Body)
	if got := req.Header.Get("X-Hookgen-Signature"); got != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("signature %q", got)
	}
}

// Secrets never leave in a message or a log line, wherever they turn up:
// typed into a template, echoed back by the server, or in an error.
func TestWebhookRedactsSecrets(t *testing.T) {
	t.Parallel()
	const (
		hmacKey = "very-secret-hmac-key"
		token   = "header-token-abc123"
	)
	srv := newFakeServer(t, nil)
	// The server echoes what it received, secrets included, in a 500.
	srv.script = []step{func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		w.Write([]byte("got " + r.URL.String() + " auth=" + r.Header.Get("Authorization") + " sig=" + hmacKey))
	}}
	env := append(webhookEnv(srv), "WEBHOOK_HMAC_SECRET="+hmacKey, "TOKEN="+token)
	res := runMain(t, env, args([]string{"webhook", "--attempts=2",
		"--header-from-env", "Authorization=TOKEN",
		"--text", "key " + hmacKey + " url " + srv.URL + "/hooks/sEcReT-PaTh-123 tok " + token,
	}, fast)...)
	res.wantCode(t, ExitOK)
	res.noLeak(t, hmacKey, token, "sEcReT-PaTh-123")
	if !strings.Contains(res.stderr, "[redacted]") {
		t.Errorf("nothing was redacted; the test is not testing")
	}
	var doc map[string]any
	req := srv.requests()[0]
	if err := json.Unmarshal(req.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if text := doc["text"].(string); text != "key [redacted] url [redacted] tok [redacted]" {
		t.Errorf("sent text %q", text)
	}
}

func TestWebhookUsageErrors(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, ok())
	env := webhookEnv(srv)
	tests := []struct {
		name    string
		env     []string
		args    []string
		wantLog string
	}{
		{"no URL", testEnv(), nil, "no webhook URL"},
		{"URL not http", testEnv("WEBHOOK_URL=ftp://x.example.com/sEcReT-PaTh-123"), nil, "must be an http or https URL"},
		{"missing URL file", testEnv(), []string{"--url-file=/nonexistent/url"}, "cannot read /nonexistent/url"},
		{"body not JSON", env, []string{"--body", `{"a": {{ .App.Name }}}`}, "does not render to valid JSON"},
		{"body template error", env, []string{"--body", `{{ .Nope }}`}, "can't evaluate field Nope"},
		{"text template error", env, []string{"--text", `{{ if }}`}, "missing value for if"},
		{"body and body file", env, []string{"--body", "{}", "--body-file", "/x"}, "not both"},
		{"bad method", env, []string{"--method=DELETE"}, "want POST, PUT or PATCH"},
		{"bad header", env, []string{"--header", "NoColon"}, `want "Name: value"`},
		{"header env unset", env, []string{"--header-from-env", "Authorization=NOPE"}, "NOPE is not set"},
		{"reserved header", env, []string{"--header", "Host: x"}, "cannot be set"},
		{"secret header with newline", slices.Concat(env, []string{"T=a\nb"}), []string{"--header-from-env", "X-T=T"}, "invalid characters"},
		{"bad status", env, []string{"--expect-status=abc"}, "bad status"},
		{"bad signature header", slices.Concat(env, []string{"WEBHOOK_HMAC_SECRET=k"}), []string{"--signature-header=bad header"}, "not a valid header name"},
		{"bad Argo CD URL", env, []string{"--argocd-url=cd.example.com"}, "not an absolute http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runMain(t, tt.env, append([]string{"webhook"}, tt.args...)...)
			res.wantCode(t, ExitUsage)
			res.noLeak(t, "sEcReT-PaTh-123")
			if !strings.Contains(res.stderr, tt.wantLog) {
				t.Errorf("log lacks %q", tt.wantLog)
			}
		})
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent despite usage errors", n)
	}
}
