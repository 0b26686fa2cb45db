package runner

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/spf13/pflag"
)

// Slack limits (https://api.slack.com/reference/block-kit/blocks).
const (
	slackSectionText = 3000  // characters in a section block's text
	slackFieldText   = 2000  // characters in one section field
	slackMessageText = 40000 // characters in the top-level text
)

type slackConfig struct {
	urlFile   string
	text      string
	channel   string
	username  string
	iconEmoji string
	iconURL   string
	argocdURL string
	caFile    string
}

func newSlackConfig(fs *pflag.FlagSet) config {
	c := &slackConfig{}
	fs.StringVar(&c.urlFile, "webhook-url-file", "", "file holding the incoming webhook URL (default: env SLACK_WEBHOOK_URL)")
	fs.StringVar(&c.text, "text", "", "message template (default: \"<app> sync succeeded at <revision>\", phase-aware)")
	fs.StringVar(&c.channel, "channel", "", "channel override (legacy webhooks only)")
	fs.StringVar(&c.username, "username", "", "sender name override (legacy webhooks only)")
	fs.StringVar(&c.iconEmoji, "icon-emoji", "", "sender icon emoji, e.g. :rocket: (legacy webhooks only)")
	fs.StringVar(&c.iconURL, "icon-url", "", "sender icon URL (legacy webhooks only)")
	fs.StringVar(&c.argocdURL, "argocd-url", "", "Argo CD base URL for the app link (default: env HOOKGEN_ARGOCD_URL)")
	fs.StringVar(&c.caFile, "ca-file", "", "PEM file of CA certificates trusted besides the system's")
	return c
}

func (c *slackConfig) prepare(r *run) (attemptFunc, string, error) {
	raw, source, err := r.secret(c.urlFile, "SLACK_WEBHOOK_URL", "--webhook-url-file")
	if err != nil {
		return nil, "", err
	}
	if raw == "" {
		return nil, "", usageErrorf("no Slack webhook URL: set env SLACK_WEBHOOK_URL or --webhook-url-file")
	}
	raw = strings.TrimSpace(raw)
	r.redactor.addURL(raw)
	u, err := checkHTTPURL(raw, "the Slack webhook URL (from "+source+")", true)
	if err != nil {
		return nil, "", err
	}
	argocd, err := r.argocdURL(c.argocdURL)
	if err != nil {
		return nil, "", err
	}
	data := r.context(argocd)
	text, err := r.render("--text", orDefault(c.text, defaultText), data)
	if err != nil {
		return nil, "", err
	}
	if strings.TrimSpace(text) == "" {
		return nil, "", usageErrorf("--text renders to an empty message")
	}
	body, err := json.Marshal(slackPayload(r.redactor.redactContext(data), text, c))
	if err != nil {
		return nil, "", err
	}
	if body, err = r.redactJSON(body); err != nil {
		return nil, "", err
	}
	client, err := r.newHTTPClient(c.caFile, false)
	if err != nil {
		return nil, "", err
	}
	r.cleanups = append(r.cleanups, func() { closeIdle(client) })
	accept, _ := parseStatusSet("2xx")
	req := &httpRequest{
		client: client,
		method: http.MethodPost,
		url:    raw,
		logURL: hostOnly(u),
		red:    r.redactor,
		header: http.Header{"Content-Type": {"application/json"}, "User-Agent": {userAgent}},
		body:   body,
		accept: accept,
	}
	return req.attempt, "POST " + req.logURL + " (webhook URL from " + source + ")", nil
}

// slackPayload builds the message: the text (also the notification
// fallback), then a section with the text, a section of fields (app,
// project, namespace, revision, phase, outcome) and a context line with the
// Argo CD link, the hook and the time.
func slackPayload(data Context, text string, c *slackConfig) map[string]any {
	field := func(label, value string) map[string]any {
		if value == "" {
			value = "-"
		}
		return map[string]any{"type": "mrkdwn", "text": truncateRunes("*"+label+"*\n"+value, slackFieldText)}
	}
	revision := data.App.RevisionShort
	if revision == "" {
		revision = truncateRunes(data.App.Revision, 12)
	}
	if revision != "" {
		revision = "`" + slackEscape(revision) + "`"
	}
	fields := []any{field("App", slackEscape(data.App.Name))}
	if data.App.Project != "" {
		fields = append(fields, field("Project", slackEscape(data.App.Project)))
	}
	fields = append(fields,
		field("Namespace", slackEscape(data.App.Namespace)),
		field("Revision", revision),
		field("Phase", slackEscape(data.Hook.Phase)),
		field("Outcome", outcomeEmoji(data.Hook.Outcome)+slackEscape(data.Hook.Outcome)),
	)
	var ctx []string
	if data.ArgoCD.AppURL != "" {
		ctx = append(ctx, "<"+data.ArgoCD.AppURL+"|Open in Argo CD>")
	}
	if data.Hook.Name != "" {
		ctx = append(ctx, "hook `"+slackEscape(data.Hook.Name)+"`")
	}
	ctx = append(ctx, data.Time)
	blocks := []any{
		map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": truncateRunes(text, slackSectionText)}},
		map[string]any{"type": "section", "fields": fields},
		map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn", "text": strings.Join(ctx, " · ")}}},
	}
	p := map[string]any{"text": truncateRunes(text, slackMessageText), "blocks": blocks}
	for k, v := range map[string]string{"channel": c.channel, "username": c.username, "icon_emoji": c.iconEmoji, "icon_url": c.iconURL} {
		if v != "" {
			p[k] = v
		}
	}
	return p
}

// slackEscape escapes the characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func outcomeEmoji(outcome string) string {
	switch outcome {
	case "succeeded":
		return ":white_check_mark: "
	case "failed":
		return ":x: "
	case "started", "syncing":
		return ":arrows_counterclockwise: "
	case "deleting", "deleted":
		return ":wastebasket: "
	}
	return ""
}
