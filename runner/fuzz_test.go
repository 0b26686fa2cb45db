package runner

import (
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRender renders arbitrary templates over a context that may carry a
// secret (in a value, or typed into the template) and checks that
// rendering never panics, never returns more than MaxRenderedSize bytes,
// and that the runner's render (which redacts) never lets the secret out,
// neither in the text nor in an error as the log prints it.
func FuzzRender(f *testing.F) {
	seeds := []struct{ tmpl, value, secret string }{
		{defaultText, "my-app", "hunter2hunter2"},
		{defaultWebhookBody, "a\"b", "https://hooks.example.com/services/T/B/XYZXYZXYZ"},
		{defaultEmailBody, "x", "p@ss word"},
		{"{{ .App.Name }} {{ .App.Revision }}", "tok-SECRET-tok", "SECRET"},
		{"{{ json .App.Name }}", "s3cr\"et", "s3cr\"et"},
		{"{{ upper .App.Name }}", "secret", "SECRET"},
		{"{{ printf \"%q\" .App.Name }}", "s\necret", "s\necret"},
		{"{{ printf \"%x\" .App.Name }}", "abc", "616263"},
		{"{{ trunc 3 .App.Name }}{{ .App.Name | default \"d\" }}", "", "d"},
		{"{{ .App.Name }}{{ .App.Name }}", "ab", "ba"},
		{"literal hunter2 in the template", "", "hunter2"},
		{"{{ html .App.Name }}{{ js .App.Name }}{{ urlquery .App.Name }}", "<&>", "&lt;"},
		{"{{ slice .App.Name 1 3 }}{{ index .App.Name 0 }}{{ len .App.Name }}", "secret", "ecr"},
		{"{{ .App.Nope }} hunter2", "", "hunter2"},
		{"{{ hunter2 }}", "", "hunter2"},
		{"{{ range 5 }}x{{ end }}", "", "x"},
		{"$(app.name) {{ print .App.Name 1 true }}", "v", "v 1"},
	}
	for _, s := range seeds {
		f.Add(s.tmpl, s.value, s.secret)
	}
	f.Fuzz(func(t *testing.T, tmpl, value, secret string) {
		c := testContext("HOOKGEN_APP_NAME="+value, "HOOKGEN_HOOK_NAME="+value)
		out, err := Render(tmpl, c)
		if err == nil && len(out) > MaxRenderedSize {
			t.Fatalf("Render returned %d bytes", len(out))
		}

		r := &run{redactor: &redactor{}}
		r.log = &logger{w: io.Discard, red: r.redactor}
		r.redactor.add(secret)
		got, err := r.render("--text", tmpl, c)
		if err != nil {
			// Errors reach the user only through the log.
			if printed := r.log.describe(err); secret != "" && strings.Contains(printed, secret) {
				t.Fatalf("error leaks the secret %q: %s", secret, printed)
			}
			return
		}
		if len(got) > MaxRenderedSize {
			t.Fatalf("render returned %d bytes", len(got))
		}
		if secret != "" && strings.Contains(got, secret) {
			t.Fatalf("render leaks the secret %q: %q", secret, got)
		}
		if utf8.ValidString(tmpl) && utf8.ValidString(value) && !utf8.ValidString(got) && utf8.ValidString(out) {
			// Redaction replaces whole secrets only; valid text stays valid
			// unless a secret cuts through a UTF-8 sequence.
			if utf8.ValidString(secret) {
				t.Fatalf("render broke UTF-8: %q", got)
			}
		}
	})
}
