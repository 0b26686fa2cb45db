package jobgen

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestLiteralSecret(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/healthz":                        "",
		"postgres://app@db:5432/app":                         "",
		"postgres://app:pw@db:5432/app":                      "a URL with a password",
		"postgres://app:$(DB_PASSWORD)@db:5432/app":          "",
		"redis://:pw@redis:6379":                             "a URL with a password",
		"https://hooks.slack.com/services/T0/B0/XXXX":        "a Slack webhook URL (the URL is the secret)",
		"xoxb-1234567890-abcdefghij":                         "a Slack token",
		"ghp_0123456789abcdefghij0123456789abcdef":           "a GitHub token",
		"AKIAABCDEFGHIJKLMNOP":                               "an AWS access key",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nabc":           "a private key",
		"https://discord.com/api/webhooks/1/abc":             "a Discord webhook URL",
		"ghcr.io/acme/api@sha256:0123456789abcdef0123456789": "",
		"": "",
	} {
		if got := LiteralSecret(in); got != want {
			t.Errorf("literalSecret(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScanSecrets(t *testing.T) {
	job := `
template:
  spec:
    containers:
      - name: c
        command: [app, --token, "$(TOKEN)", --password=$(PW), -v]
        args: [--api-key, abc123, --token=literal, --password-file, /run/pw, --secret, /etc/s,
               "--header=X-Team: a", "--header=Authorization: Bearer abc", -H, "cookie: s=1",
               --header, "Authorization: Bearer $(TOKEN)", "--header=X-Api-Key:"]
        env:
          - {name: DB_PASSWORD, value: hunter2}
          - {name: API_TOKEN, value: "$(OTHER)"}
          - {name: TOKEN_PATH, value: ""}
          - {name: MODE, value: fast}
          - name: SECRET
            valueFrom: {secretKeyRef: {name: s, key: k}}
`
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(job), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	scanSecrets(doc.Content[0], func(n *yaml.Node, msg string) {
		if strings.Contains(msg, n.Value) && n.Value != "" {
			t.Errorf("the message repeats the value %q: %s", n.Value, msg)
		}
		got = append(got, msg[:strings.IndexAny(msg, ";")])
	})
	want := []string{
		"flag --api-key is followed by a literal value",
		"flag --token has a literal value",
		"header Authorization carries a credential written literally",
		"header cookie carries a credential written literally",
		"env DB_PASSWORD has a literal value",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
