package jobgen

import (
	"strings"

	"github.com/hookgen/hookgen/internal/lazyre"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Secrets belong in Secrets. hookgen refuses to write a credential into a
// Job, where anyone who can read the Application's resources (or Argo CD's
// UI) would see it, and it never repeats the value in a message.

var (
	// secretEnvName matches environment variable names that hold secrets.
	secretEnvName = lazyre.New(`(?i)(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|WEBHOOK_?URL|DSN|CONNECTION_?STRING)`)
	// secretFlag matches command-line flags that take a secret.
	secretFlag = lazyre.New(`(?i)^--?(password|passwd|pass|token|secret|api-?key|access-?key|private-?key|webhook-?url)(=(.*))?$`)
	// headerFlag matches a request-header flag (the runner's --header,
	// curl's -H), with its value when given as --header=VALUE.
	headerFlag = lazyre.New(`^(--header|-H)(=(.*))?$`)
	// credentialHeader matches "Name: value" for headers that carry a credential.
	credentialHeader = lazyre.New(`(?i)^\s*(authorization|proxy-authorization|cookie|x-api-key|x-auth-token|api-key|private-token)\s*:\s*(.*)$`)
	// k8sRefIn finds a reference to another variable inside a value.
	k8sRefIn = lazyre.New(`\$\([A-Za-z_][A-Za-z0-9_]*\)`)
	// k8sRef matches a value that only refers to other variables: $(VAR) ...
	k8sRef = lazyre.New(`^(\$\([A-Za-z_][A-Za-z0-9_]*\))+$`)
	// urlPassword finds the password of a URL's user info.
	urlPassword = lazyre.New(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@`)
	// secretValue matches values that are credentials whatever they are
	// called. hint lists literal text one of which every match contains:
	// most values contain none, and their regexp never runs (or compiles).
	secretValue = []struct {
		hint []string
		re   *lazyre.Regexp
		what string
	}{
		{[]string{"hooks.slack.com/"}, lazyre.New(`hooks\.slack\.com/(services|workflows|triggers)/`), "a Slack webhook URL (the URL is the secret)"},
		{[]string{"xox"}, lazyre.New(`\bxox[abposr]-[A-Za-z0-9-]{10,}`), "a Slack token"},
		{[]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"}, lazyre.New(`\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}`), "a GitHub token"},
		{[]string{"glpat-"}, lazyre.New(`\bglpat-[A-Za-z0-9_-]{20,}`), "a GitLab token"},
		{[]string{"AKIA", "ASIA"}, lazyre.New(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), "an AWS access key"},
		{[]string{"-----BEGIN "}, lazyre.New(`-----BEGIN [A-Z ]*PRIVATE KEY-----`), "a private key"},
		{[]string{"k_live_"}, lazyre.New(`\b[rs]k_live_[A-Za-z0-9]{16,}`), "a Stripe key"},
		{[]string{"discord"}, lazyre.New(`discord(app)?\.com/api/webhooks/`), "a Discord webhook URL"},
		{[]string{"outlook.office", ".webhook.office.com/"}, lazyre.New(`outlook\.office(365)?\.com/webhook/|\.webhook\.office\.com/`), "a Microsoft Teams webhook URL"},
	}
)

// containsAny reports whether s contains one of the hints.
func containsAny(s string, hints []string) bool {
	for _, h := range hints {
		if strings.Contains(s, h) {
			return true
		}
	}
	return false
}

// LiteralSecret reports what kind of credential s holds, or "".
func LiteralSecret(s string) string {
	if strings.Contains(s, "://") && strings.Contains(s, "@") {
		for _, m := range urlPassword.FindAllStringSubmatch(s, -1) {
			if !isReference(m[1]) {
				return "a URL with a password"
			}
		}
	}
	for _, p := range secretValue {
		if containsAny(s, p.hint) && p.re.MatchString(s) {
			return p.what
		}
	}
	return ""
}

// isReference reports whether a value only names other variables
// (Kubernetes expands $(VAR) from the container's environment), or is
// empty: neither is a literal secret.
func isReference(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || strings.HasPrefix(s, "$(") && k8sRef.MatchString(s)
}

// scanSecrets walks a generated Job and reports every literal credential:
// values that look like one anywhere, literal values of env vars named like
// one, and secret-taking flags with a literal value in command and args.
func scanSecrets(job *yaml.Node, report func(n *yaml.Node, msg string)) {
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		switch n.Kind {
		case yaml.ScalarNode:
			if what := LiteralSecret(n.Value); what != "" {
				report(n, what+" is written literally; keep it in a Secret and refer to it (secretKeyRef, envFrom)")
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], n.Content[i].Value)
			}
			if key == "" {
				checkEnvEntry(n, report)
			}
		case yaml.SequenceNode:
			for _, item := range n.Content {
				walk(item, "")
			}
			if key == "command" || key == "args" {
				checkFlags(n, report)
			}
		}
	}
	walk(job, "job")
}

// checkEnvEntry checks a mapping that may be an EnvVar.
func checkEnvEntry(n *yaml.Node, report func(*yaml.Node, string)) {
	name, value := yamlio.MapGet(n, "name"), yamlio.MapGet(n, "value")
	if name == nil || value == nil || name.Kind != yaml.ScalarNode || value.Kind != yaml.ScalarNode {
		return
	}
	if secretEnvName.MatchString(name.Value) && !isReference(value.Value) && LiteralSecret(value.Value) == "" {
		report(value, "env "+name.Value+" has a literal value; a secret belongs in a Secret: use valueFrom.secretKeyRef")
	}
}

// checkFlags checks command and args for --password=... and --token VALUE,
// and for credential headers written into --header and -H.
func checkFlags(list *yaml.Node, report func(*yaml.Node, string)) {
	for i, item := range list.Content {
		if item.Kind != yaml.ScalarNode {
			continue
		}
		if !strings.HasPrefix(item.Value, "-") {
			continue // every secret-taking or header flag starts with a dash
		}
		if h := headerFlag.FindStringSubmatch(item.Value); h != nil {
			header, at := h[3], item
			if h[2] == "" && i+1 < len(list.Content) {
				header, at = list.Content[i+1].Value, list.Content[i+1]
			}
			if m := credentialHeader.FindStringSubmatch(header); m != nil && strings.TrimSpace(m[2]) != "" && !k8sRefIn.MatchString(m[2]) {
				report(at, "header "+m[1]+" carries a credential written literally; keep it in a Secret and pass it from an env var (hookgen run: --header-from-env "+m[1]+"=VAR; elsewhere $(VAR))")
			}
			continue
		}
		m := secretFlag.FindStringSubmatch(item.Value)
		if m == nil {
			continue
		}
		if m[2] != "" {
			if !isReference(m[3]) {
				report(item, "flag "+strings.SplitN(item.Value, "=", 2)[0]+" has a literal value; pass the secret through an env var from a Secret and refer to it as $(VAR)")
			}
			continue
		}
		if i+1 < len(list.Content) {
			next := list.Content[i+1]
			if next.Kind == yaml.ScalarNode && !strings.HasPrefix(next.Value, "-") && !isReference(next.Value) && !strings.HasPrefix(next.Value, "/") {
				report(next, "flag "+item.Value+" is followed by a literal value; pass the secret through an env var from a Secret and refer to it as $(VAR)")
			}
		}
	}
}
