package runner

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const slackPath = "/services/T0HOOKGEN/B0HOOKGEN/sEcReTsLaCkToKeN42"

func TestSlackMessage(t *testing.T) {
	srv := newFakeServer(t, ok())
	env := testEnv("SLACK_WEBHOOK_URL="+srv.URL+slackPath, "HOOKGEN_ARGOCD_URL=https://cd.example.com/")
	res := runMain(t, env, "slack", "--channel=#deploys", "--username=Argo CD", "--icon-emoji=:rocket:")
	res.wantCode(t, ExitOK)
	res.noLeak(t, "sEcReTsLaCkToKeN42", slackPath)

	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	req := reqs[0]
	if req.Method != http.MethodPost || req.Path != slackPath {
		t.Errorf("request %s %s", req.Method, req.Path)
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var msg struct {
		Text      string `json:"text"`
		Channel   string `json:"channel"`
		Username  string `json:"username"`
		IconEmoji string `json:"icon_emoji"`
		IconURL   *string
		Blocks    []struct {
			Type string `json:"type"`
			Text *struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"text"`
			Fields []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"fields"`
			Elements []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(req.Body, &msg); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, req.Body)
	}
	if msg.Text != "my-app sync succeeded at abc1234" {
		t.Errorf("text %q", msg.Text)
	}
	if msg.Channel != "#deploys" || msg.Username != "Argo CD" || msg.IconEmoji != ":rocket:" || msg.IconURL != nil {
		t.Errorf("channel/username/icons: %q %q %q %v", msg.Channel, msg.Username, msg.IconEmoji, msg.IconURL)
	}
	if len(msg.Blocks) != 3 {
		t.Fatalf("%d blocks, want 3:\n%s", len(msg.Blocks), req.Body)
	}
	if b := msg.Blocks[0]; b.Type != "section" || b.Text == nil || b.Text.Type != "mrkdwn" || b.Text.Text != msg.Text {
		t.Errorf("block 0: %+v", b)
	}
	var fields []string
	for _, f := range msg.Blocks[1].Fields {
		if f.Type != "mrkdwn" {
			t.Errorf("field type %q", f.Type)
		}
		fields = append(fields, f.Text)
	}
	wantFields := []string{
		"*App*\nmy-app", "*Project*\ndefault", "*Namespace*\nshop", "*Revision*\n`abc1234`",
		"*Phase*\nPostSync", "*Outcome*\n:white_check_mark: succeeded",
	}
	if strings.Join(fields, "|") != strings.Join(wantFields, "|") {
		t.Errorf("fields:\n got %q\nwant %q", fields, wantFields)
	}
	ctx := msg.Blocks[2]
	if ctx.Type != "context" || len(ctx.Elements) != 1 {
		t.Fatalf("block 2: %+v", ctx)
	}
	want := "<https://cd.example.com/applications/my-app|Open in Argo CD> · hook `notify` · "
	if !strings.HasPrefix(ctx.Elements[0].Text, want) {
		t.Errorf("context %q, want prefix %q", ctx.Elements[0].Text, want)
	}
	if lines := res.attemptLines(); len(lines) != 1 || !strings.Contains(lines[0], "attempt 1/5: POST http://127.0.0.1") || !strings.Contains(lines[0], "200 OK") {
		t.Errorf("attempt lines: %q", lines)
	}
}

func TestSlackOptions(t *testing.T) {
	srv := newFakeServer(t, ok())
	file := writeFile(t, "url", srv.URL+slackPath+"\n")
	env := testEnv("HOOKGEN_APP_NAME=team-a_my-app", "HOOKGEN_HOOK_PHASE=SyncFail", "HOOKGEN_HOOK_OUTCOME=failed",
		"SLACK_WEBHOOK_URL=http://127.0.0.1:1/not-this-one")
	res := runMain(t, env, "slack", "--webhook-url-file="+file, "--argocd-url=https://argo.example.com",
		"--text", "*{{ .App.Name }}*: {{ .Hook.Outcome | upper }} <b&b> $(app.name)", "--icon-url=https://example.com/i.png")
	res.wantCode(t, ExitOK)
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1 (the file wins over the env)", len(reqs))
	}
	var msg map[string]any
	if err := json.Unmarshal(reqs[0].Body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg["text"] != "*team-a_my-app*: FAILED <b&b> $(app.name)" || msg["icon_url"] != "https://example.com/i.png" {
		t.Errorf("message %v", msg)
	}
	for _, key := range []string{"channel", "username", "icon_emoji"} {
		if _, ok := msg[key]; ok {
			t.Errorf("unset %s sent", key)
		}
	}
	body := string(reqs[0].Body)
	for _, want := range []string{
		`https://argo.example.com/applications/team-a/my-app|Open in Argo CD`,
		`:x: failed`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestSlackFieldsEscaped(t *testing.T) {
	p := slackPayload(Context{App: App{Name: "a<b>&c"}}, "t", &slackConfig{})
	b, _ := json.Marshal(p)
	var back struct {
		Blocks []struct {
			Fields []struct{ Text string }
		}
	}
	json.Unmarshal(b, &back)
	if got := back.Blocks[1].Fields[0].Text; got != "*App*\na&lt;b&gt;&amp;c" {
		t.Errorf("escaped field %q", got)
	}
	if got := back.Blocks[1].Fields[2].Text; got != "*Revision*\n-" {
		t.Errorf("empty field %q", got)
	}
}
