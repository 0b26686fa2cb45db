package runner

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookgen/hookgen/internal/runnerenv"
)

// Context is what message templates (--text, --subject, --body) see. It is
// built from the HOOKGEN_* variables the generated Job sets; a variable
// that is not set gives an empty string.
type Context struct {
	App    App
	Hook   Hook
	ArgoCD ArgoCD
	// Time is when the runner started, RFC 3339 in UTC.
	Time string
	// Text is the action's rendered short message (slack and webhook
	// --text, email --subject); empty while that message itself renders.
	Text string
}

// App describes the Argo CD application being synced.
type App struct {
	Name           string // HOOKGEN_APP_NAME (<app-namespace>_<name> for apps outside Argo CD's namespace)
	Namespace      string // HOOKGEN_APP_NAMESPACE: the destination namespace
	Project        string // HOOKGEN_APP_PROJECT
	Revision       string // HOOKGEN_APP_REVISION
	RevisionShort  string // HOOKGEN_APP_REVISION_SHORT
	RepoURL        string // HOOKGEN_APP_REPO_URL
	Path           string // HOOKGEN_APP_PATH
	TargetRevision string // HOOKGEN_APP_TARGET_REVISION
}

// Hook describes the hook Job that runs the action.
type Hook struct {
	Name    string // HOOKGEN_HOOK_NAME
	Phase   string // HOOKGEN_HOOK_PHASE: PreSync, Sync, PostSync, SyncFail, PreDelete, PostDelete
	Outcome string // HOOKGEN_HOOK_OUTCOME: started, syncing, succeeded, failed, deleting, deleted
}

// ArgoCD holds the Argo CD links, set when an Argo CD base URL is known
// (--argocd-url or HOOKGEN_ARGOCD_URL).
type ArgoCD struct {
	URL    string // the base URL, without a trailing slash
	AppURL string // the application's page in the Argo CD UI
}

// maxContextValue caps each context value: Argo CD's own values are short,
// and the cap keeps every template's output bounded.
const maxContextValue = 2048

// newContext builds the template context from the environment.
func newContext(env map[string]string, now time.Time, argocdURL string) Context {
	get := func(k string) string { return truncateBytes(env[k], maxContextValue) }
	c := Context{
		App: App{
			Name:           get(runnerenv.AppName),
			Namespace:      get(runnerenv.AppNamespace),
			Project:        get(runnerenv.AppProject),
			Revision:       get(runnerenv.AppRevision),
			RevisionShort:  get(runnerenv.AppRevisionShort),
			RepoURL:        get(runnerenv.AppRepoURL),
			Path:           get(runnerenv.AppPath),
			TargetRevision: get(runnerenv.AppTargetRevision),
		},
		Hook: Hook{
			Name:    get(runnerenv.HookName),
			Phase:   get(runnerenv.HookPhase),
			Outcome: get(runnerenv.HookOutcome),
		},
		Time: now.UTC().Format(time.RFC3339),
	}
	if argocdURL != "" {
		c.ArgoCD.URL = strings.TrimRight(truncateBytes(argocdURL, maxContextValue), "/")
		c.ArgoCD.AppURL = appURL(c.ArgoCD.URL, c.App.Name)
	}
	return c
}

// appURL is the application's page in the Argo CD UI. Argo CD names an
// application outside its own namespace "<app-namespace>_<name>" (the
// value it passes as ARGOCD_APP_NAME, and so as HOOKGEN_APP_NAME); its UI
// shows that one at <base>/applications/<app-namespace>/<name>, and any
// other at <base>/applications/<name>. HOOKGEN_APP_NAMESPACE is the
// destination namespace, not the Application's, so it plays no part.
func appURL(base, name string) string {
	if base == "" || name == "" {
		return ""
	}
	if ns, n, ok := strings.Cut(name, "_"); ok && ns != "" && n != "" {
		return base + "/applications/" + url.PathEscape(ns) + "/" + url.PathEscape(n)
	}
	return base + "/applications/" + url.PathEscape(name)
}

// checkArgoCDURL validates an Argo CD base URL.
func checkArgoCDURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErrorf("Argo CD URL %q is not an absolute http(s) URL", raw)
	}
	return nil
}

// truncateBytes cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// truncateRunes cuts s to at most n runes, ending with "…" when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	i := 0
	for pos := range s {
		if i == n-1 {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}

// The default messages. Each action documents which it uses; every one is
// phase-aware through .Hook.Outcome.
const (
	// defaultText reads, for example, "my-app sync succeeded at abc1234".
	defaultText = `{{ .App.Name | default "application" }} ` +
		`{{- if eq .Hook.Outcome "succeeded" }} sync succeeded` +
		`{{- else if eq .Hook.Outcome "failed" }} sync failed` +
		`{{- else if eq .Hook.Outcome "started" }} sync started` +
		`{{- else if eq .Hook.Outcome "syncing" }} syncing` +
		`{{- else if eq .Hook.Outcome "deleting" }} deletion started` +
		`{{- else if eq .Hook.Outcome "deleted" }} deleted` +
		`{{- else if .Hook.Outcome }} {{ .Hook.Outcome }}` +
		`{{- else }} hook {{ .Hook.Name | default "notification" }}{{ with .Hook.Phase }} ({{ . }}){{ end }}` +
		`{{- end }}` +
		`{{- with .App.RevisionShort }} at {{ . }}{{ end }}`

	// defaultEmailBody is the plain-text body of the email action.
	defaultEmailBody = `{{ .Text }}

Application: {{ .App.Name }}
{{- with .App.Project }}
Project:     {{ . }}{{ end }}
Namespace:   {{ .App.Namespace }}
Revision:    {{ .App.Revision }}
{{- with .App.RepoURL }}
Repository:  {{ . }}{{ end }}
{{- with .App.Path }}
Path:        {{ . }}{{ end }}
{{- with .App.TargetRevision }}
Target:      {{ . }}{{ end }}
Hook:        {{ .Hook.Name }} ({{ .Hook.Phase }})
Outcome:     {{ .Hook.Outcome }}
Time:        {{ .Time }}
{{- with .ArgoCD.AppURL }}
Argo CD:     {{ . }}{{ end }}

-- 
Sent by hookgen from a {{ .Hook.Phase | default "sync" }} hook.
`

	// defaultWebhookBody is the JSON body of the webhook action.
	defaultWebhookBody = `{
  "text": {{ json .Text }},
  "app": {
    "name": {{ json .App.Name }},
    "namespace": {{ json .App.Namespace }},
    "project": {{ json .App.Project }},
    "revision": {{ json .App.Revision }},
    "revisionShort": {{ json .App.RevisionShort }},
    "repoURL": {{ json .App.RepoURL }},
    "path": {{ json .App.Path }},
    "targetRevision": {{ json .App.TargetRevision }}
  },
  "hook": {
    "name": {{ json .Hook.Name }},
    "phase": {{ json .Hook.Phase }},
    "outcome": {{ json .Hook.Outcome }}
  },
  "argocd": {
    "url": {{ json .ArgoCD.URL }},
    "appURL": {{ json .ArgoCD.AppURL }}
  },
  "time": {{ json .Time }}
}
`
)
