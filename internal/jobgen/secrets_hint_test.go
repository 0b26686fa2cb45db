package jobgen

import (
	"testing"
)

// TestSecretHints checks that the literal hints in front of the secret
// patterns let every kind of credential through to its pattern: one
// example per alternative of each pattern.
func TestSecretHints(t *testing.T) {
	for in, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/XXXX":                   "a Slack webhook URL (the URL is the secret)",
		"https://hooks.slack.com/workflows/T0/A0/1/XXXX":                "a Slack webhook URL (the URL is the secret)",
		"https://hooks.slack.com/triggers/T0/1/XXXX":                    "a Slack webhook URL (the URL is the secret)",
		"xoxa-1234567890-abc":                                           "a Slack token",
		"token xoxp-1234567890-abc":                                     "a Slack token",
		"xoxr-1234567890-abc":                                           "a Slack token",
		"gho_0123456789abcdefghij0123456789abcdef":                      "a GitHub token",
		"ghu_0123456789abcdefghij0123456789abcdef":                      "a GitHub token",
		"ghs_0123456789abcdefghij0123456789abcdef":                      "a GitHub token",
		"ghr_0123456789abcdefghij0123456789abcdef":                      "a GitHub token",
		"github_pat_0123456789abcdefghij0123456789abcdef":               "a GitHub token",
		"glpat-0123456789abcdefghij":                                    "a GitLab token",
		"ASIAABCDEFGHIJKLMNOP":                                          "an AWS access key",
		"-----BEGIN RSA PRIVATE KEY-----":                               "a private key",
		"-----BEGIN PRIVATE KEY-----":                                   "a private key",
		"sk_live_0123456789abcdef":                                      "a Stripe key",
		"rk_live_0123456789abcdef":                                      "a Stripe key",
		"https://discordapp.com/api/webhooks/1/abc":                     "a Discord webhook URL",
		"https://outlook.office.com/webhook/abc":                        "a Microsoft Teams webhook URL",
		"https://outlook.office365.com/webhook/abc":                     "a Microsoft Teams webhook URL",
		"https://acme.webhook.office.com/webhookb2/abc":                 "a Microsoft Teams webhook URL",
		"amqp://user:pass@rabbit:5672/":                                 "a URL with a password",
		"https://example.com/a?x=1&y=2#not-@-a-password":                "",
		"DSN=mysql://app:$(DB_PASSWORD)@tcp(db:3306)/app and $(X) $(Y)": "",
	} {
		if got := LiteralSecret(in); got != want {
			t.Errorf("literalSecret(%q) = %q, want %q", in, got, want)
		}
	}
}
