// Package runner is what a generated hook Job runs: "hookgen run <action>".
//
// # Model
//
// Some of the Jobs that hookgen generates run the hookgen binary itself as
// a small, trusted runner: the template sets
//
//	command: [hookgen, run, slack]
//	args:    [--text, "..."]
//	env:     HOOKGEN_* (the context below) and the action's secrets, by secretKeyRef
//
// and the runner does one thing (posts a message, calls a webhook, sends an
// email, checks a URL), then exits. [Main] is the whole interface: it takes
// the arguments, the environment ("KEY=value" entries) and two writers, and
// returns the exit code. The package never reads the process environment
// (only the entries it is given), never exits the process and keeps no
// global state; the files it reads are those it is pointed at (mounted
// secrets, CA and template files).
//
// Settings that are not secret are flags. Secrets never are (flags show in
// the pod spec and in ps): each comes from an environment variable, filled
// by a secretKeyRef, or from a file given by a --*-file flag, filled by a
// mounted Secret; the file wins when both are set. Trailing newlines of a
// secret are dropped.
//
// # Exit codes
//
//	0  the action succeeded, or it failed in best-effort mode (logged)
//	1  the action failed in strict mode
//	2  usage or configuration error: unknown action or flag, missing or
//	   unreadable secret, bad URL or address, template error, a body that
//	   is not JSON. Always 2, whatever the mode: a broken hook should show.
//
// slack, webhook and email are best effort by default (--best-effort):
// a relay outage must never fail an Argo CD sync. http-check is strict by
// default (--strict): a failed smoke test should fail the sync.
// --strict and --best-effort=false are the same, as are --best-effort and
// --strict=false (which makes an http-check a report only). Contradicting
// values are a usage error.
//
// # Retry policy
//
// Every action makes bounded attempts. Between attempts it waits a random
// time in [0, min(--max-backoff, --backoff·2^(n-1))] ("full jitter"), or
// longer when a 429 or 503 carries Retry-After; when that wait (or any wait)
// would pass the overall deadline, it stops at once instead. Each attempt
// has its own timeout; nothing runs past --deadline (the SMTP connection is
// closed, the HTTP request cancelled). SIGTERM (plugin.Main cancels the
// context) stops the retries too.
//
//	                slack, webhook   email   http-check
//	--attempts            5            5        10
//	--timeout            10s          15s        5s
//	--deadline           60s          60s       60s
//	--backoff             1s           1s        1s
//	--max-backoff        10s          10s        8s
//
// The defaults stay well inside the ~120 s activeDeadlineSeconds of a hook
// Job. Retried: connection errors (refused, reset, DNS), timeouts, HTTP
// 408, 429 and 5xx, SMTP 4xx replies. Not retried: other HTTP statuses
// (4xx, unexpected 2xx, and 3xx, since redirects are not followed unless
// http-check --follow-redirects), SMTP 5xx replies (a wrong password), TLS
// certificate errors and a relay that does not offer STARTTLS. http-check
// also retries a body that does not match yet: behind a Service, old and
// new pods can answer side by side for a while. A message may arrive twice
// if an attempt timed out after the server took it; webhooks carry one
// X-Hookgen-Delivery ID and emails one Message-ID across attempts so a
// receiver can tell.
//
// # Logs
//
// Lines go to stderr, prefixed "hookgen run <action>: ": the target and
// policy, one line per attempt (its outcome, duration and the wait before
// the next), and a summary when the action failed. Nothing goes to stdout
// but --help. No line ever contains a secret: every secret value (webhook
// URLs, passwords, HMAC keys, --header-from-* values, Authorization,
// Proxy-Authorization, Cookie and X-Api-Key headers, proxy credentials) is
// replaced by "[redacted]" in every form it could take (quoted, JSON- or
// URL-escaped, the path and query of a secret URL), including inside Go's
// error strings, which embed request URLs. Its pieces are redacted on their
// own too, since a server may echo just one: each query value of a secret
// URL, the credentials after an auth scheme ("Bearer abc" → abc), and the
// decoded user:password and password of a Basic credential. Secret URLs are
// logged as scheme and host only. The same redaction applies to rendered
// message text: a secret typed into a template is not sent. Every control
// character of a logged name or value (newlines, terminal escapes, C1
// controls, bidirectional overrides) is written as its Go escape, so that
// nothing a server returns can forge a line or drive a terminal.
//
// # Redirects
//
// Redirects are not followed unless http-check --follow-redirects. A
// followed redirect that leaves the first request's scheme, host or port
// drops every header that carries a secret (--header-from-env,
// --header-from-file, Authorization, Proxy-Authorization, Cookie,
// X-Api-Key); Go itself would drop only Authorization and Cookie, and only
// across domains.
//
// # Context
//
// The generated Job passes the context in these variables; one that is not
// set is empty.
//
//	variable                      template field          example
//	HOOKGEN_APP_NAME              .App.Name               my-app (team-a_my-app outside Argo CD's namespace)
//	HOOKGEN_APP_NAMESPACE         .App.Namespace          shop (the destination namespace)
//	HOOKGEN_APP_PROJECT           .App.Project            default
//	HOOKGEN_APP_REVISION          .App.Revision           abc1234def5678...
//	HOOKGEN_APP_REVISION_SHORT    .App.RevisionShort      abc1234
//	HOOKGEN_APP_REPO_URL          .App.RepoURL            https://git.example.com/shop.git
//	HOOKGEN_APP_PATH              .App.Path               apps/shop
//	HOOKGEN_APP_TARGET_REVISION   .App.TargetRevision     main
//	HOOKGEN_HOOK_NAME             .Hook.Name              notify
//	HOOKGEN_HOOK_PHASE            .Hook.Phase             PreSync Sync PostSync SyncFail PreDelete PostDelete
//	HOOKGEN_HOOK_OUTCOME          .Hook.Outcome           started syncing succeeded failed deleting deleted
//	HOOKGEN_ARGOCD_URL            .ArgoCD.URL             https://cd.example.com (--argocd-url wins)
//	                              .ArgoCD.AppURL          https://cd.example.com/applications/my-app
//	                              .Time                   2026-03-01T11:30:00Z (start, RFC 3339, UTC)
//	                              .Text                   the rendered --text (slack, webhook) or --subject (email)
//
// .ArgoCD.AppURL is <base>/applications/<name>, or
// <base>/applications/<app-namespace>/<name> when Argo CD names the app
// "<app-namespace>_<name>" (apps in any namespace): that is where its UI
// shows the Application. HOOKGEN_APP_NAMESPACE is the destination
// namespace, not the Application's, so it is not used for the link.
//
// # Message templates
//
// --text, --subject and --body (and --body-file) are Go text/template
// over the context, with missingkey=error. Functions: json (a JSON string
// or value, quoted and escaped: {"text": {{ json .Text }}}), upper, lower,
// trim, default ({{ .App.Project | default "none" }}), trunc
// ({{ trunc 7 .App.Revision }}), and the text/template built-ins (eq, if,
// with, and, or, not, len, index, slice, print, printf, html, js, urlquery).
// range, define, block and template are refused, printf widths are capped,
// and every function's result, like the whole output, is capped at
// [MaxRenderedSize] bytes; templates are at most [MaxTemplateSize] bytes.
// A template error is a usage error (exit 2). Text outside {{ }} is left
// as it is, "$(...)" included: hookgen generate substitutes its own
// placeholders before the Job exists. The default text, shared by the
// actions, reads by outcome:
//
//	succeeded  my-app sync succeeded at abc1234
//	failed     my-app sync failed at abc1234
//	started    my-app sync started at abc1234
//	syncing    my-app syncing at abc1234
//	deleting   my-app deletion started at abc1234
//	deleted    my-app deleted at abc1234
//	(empty)    my-app hook notify (PostSync) at abc1234
//
// # slack
//
// Posts to a Slack incoming webhook: {"text": ..., "blocks": [...]} with
// a section holding the text, a section of fields (App, Project when set,
// Namespace, Revision, Phase, Outcome with an emoji) and a context line
// with "Open in Argo CD" (when the Argo CD URL is known), the hook name
// and the time. 2xx is success.
//
//	secret  SLACK_WEBHOOK_URL or --webhook-url-file   the webhook URL (required)
//	--text           default text above   mrkdwn message template
//	--channel        -                    channel override    } honoured by legacy
//	--username       -                    sender name         } webhooks only; app
//	--icon-emoji     -                    e.g. :rocket:       } webhooks ignore them
//	--icon-url       -                    icon image URL      }
//	--argocd-url     HOOKGEN_ARGOCD_URL   Argo CD base URL for the link
//	--ca-file        -                    PEM CAs trusted besides the system's
//
// # webhook
//
// Sends a JSON document. Headers: Content-Type: application/json,
// User-Agent: hookgen-runner, X-Hookgen-Delivery: <random id, the same on
// every attempt>, the signature when a key is set, and the given ones.
//
//	secret  WEBHOOK_URL or --url-file                 the URL (required; http or https)
//	secret  WEBHOOK_HMAC_SECRET or --hmac-secret-file signs the body: <header>: sha256=<hex HMAC-SHA256 of the body>
//	--signature-header  X-Hookgen-Signature  header carrying the signature
//	--method            POST                 POST, PUT or PATCH
//	--text              default text above   rendered into .Text
//	--body              see below            JSON body template; must render to valid JSON
//	--body-file         -                    the body template from a file (not both)
//	--header            -                    "Name: value", repeatable (not for secrets)
//	--header-from-env   -                    "Name=ENV_VAR", repeatable, secret
//	--header-from-file  -                    "Name=/path", repeatable, secret
//	--expect-status     2xx                  e.g. 200, 2xx, 200,202, 200-299
//	--argocd-url        HOOKGEN_ARGOCD_URL   for .ArgoCD.AppURL
//	--ca-file           -                    PEM CAs trusted besides the system's
//
// The default body:
//
//	{"text": .Text,
//	 "app": {"name", "namespace", "project", "revision", "revisionShort", "repoURL", "path", "targetRevision"},
//	 "hook": {"name", "phase", "outcome"},
//	 "argocd": {"url", "appURL"},
//	 "time": .Time}
//
// # email
//
// Sends a text/plain UTF-8 message with From, To, Cc, Subject, Date,
// Message-ID (<random.unix-time@sender-domain>, the same on every attempt),
// MIME-Version, Auto-Submitted: auto-generated and User-Agent:
// hookgen-runner.
//
//	--smtp-host      SMTP_HOST            relay host (required)
//	--smtp-port      SMTP_PORT            587 for starttls, 465 for tls, 25 for none
//	--tls            SMTP_TLS, starttls   starttls (required, never downgraded), tls (implicit), none (plain text)
//	--auth           plain if a username  plain, login or none
//	--username       SMTP_USERNAME        user name
//	secret  SMTP_PASSWORD or --password-file  the password (required with --auth plain/login)
//	--from           SMTP_FROM            sender, e.g. "Argo CD <argocd@example.com>" (required)
//	--to, --cc       -                    recipients, repeatable or comma-separated (at least one)
//	--subject        default text above   subject template (one line), also .Text
//	--body           see below            plain-text body template
//	--body-file      -                    the body template from a file (not both)
//	--ca-file        -                    PEM CAs trusted besides the system's, for a private relay
//	--argocd-url     HOOKGEN_ARGOCD_URL   for .ArgoCD.AppURL
//
// The default body is .Text, then one line each for the application,
// project, namespace, revision, repository, path, target revision, hook and
// phase, outcome, time and the Argo CD link (lines whose value is unknown
// are left out, except the app, namespace, revision, hook, outcome and time).
// With --tls=none and a login, the credentials travel in plain text (a
// warning is logged): meant for an in-cluster relay only.
//
// # http-check
//
// Requests a URL until it answers as expected; strict by default.
//
//	--url                  -        the URL (required; http or https; a password in it is redacted)
//	--method               GET      GET or HEAD
//	--expect-status        200      e.g. 200, 2xx, 200,204, 200-299
//	--expect-body          -        text the body must contain
//	--expect-body-regexp   -        RE2 expression the body must match (the first 1 MiB is read)
//	--header               -        "Name: value", repeatable
//	--header-from-env      -        "Name=ENV_VAR", repeatable, secret
//	--header-from-file     -        "Name=/path", repeatable, secret
//	--ca-file              -        PEM CAs trusted besides the system's
//	--follow-redirects     false    follow up to 10 redirects and judge the last answer
//
// # Network
//
// HTTP actions honour HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their
// lowercase forms) from the given environment, with Go's rules (loopback is
// never proxied). TLS is 1.2 or newer.
//
// # Common flags
//
//	--attempts, --timeout, --deadline, --backoff, --max-backoff   see Retry policy
//	--best-effort / --strict                                      see Exit codes
//	--help                                                        the action's flags, on stdout
package runner
