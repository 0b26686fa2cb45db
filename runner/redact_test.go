package runner

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	const hook = "https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXXXXXX"
	tests := []struct {
		name    string
		secrets []string
		urls    []string
		in      string
		want    string
	}{
		{"no secrets", nil, nil, "hello", "hello"},
		{"plain", []string{"hunter2"}, nil, "password is hunter2.", "password is [redacted]."},
		{"twice", []string{"hunter2"}, nil, "hunter2hunter2 hunter2", "[redacted] [redacted]"},
		{"overlapping occurrences", []string{"abab"}, nil, "ababab", "[redacted]"},
		{"overlapping secrets", []string{"abc", "cde"}, nil, "xabcdex", "x[redacted]x"},
		{"quoted form", []string{"a\"b\\c"}, nil, `err: "a\"b\\c"`, `err: "[redacted]"`},
		{"json form", []string{"p<w>\n"}, nil, `{"x":"p<w>\n"}`, `{"x":"[redacted]"}`},
		{"query-escaped form", []string{"a b&c"}, nil, "?k=a+b%26c", "?k=[redacted]"},
		{"url whole", nil, []string{hook}, `Post "` + hook + `": EOF`, `Post "[redacted]": EOF`},
		{"url path alone", nil, []string{hook}, "GET /services/T0001/B0001/XXXXXXXXXXXXXXXX", "GET [redacted]"},
		{"url password", nil, []string{"https://user:s3cretpw@h.example/x"}, "auth s3cretpw", "auth [redacted]"},
		{"host is not secret", nil, []string{hook}, "lookup hooks.slack.com: no such host", "lookup hooks.slack.com: no such host"},
		{"short url path is not a secret", nil, []string{"https://example.com/hook"}, "POST /hook", "POST /hook"},
		{"secret inside the mark", []string{"dact"}, nil, "xdactx", "x***x"},
		{"mark joins into a secret", []string{"AB", "D]x"}, nil, "ABx", "*"},
		{"empty secret ignored", []string{""}, nil, "text", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &redactor{}
			for _, s := range tt.secrets {
				r.add(s)
			}
			for _, u := range tt.urls {
				r.addURL(u)
			}
			got := r.redact(tt.in)
			if r.contains(got) {
				t.Fatalf("redact(%q) = %q still holds a secret", tt.in, got)
			}
			if tt.want == "*" { // any shape will do, as long as no secret is left
				return
			}
			if got != tt.want {
				t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// A *url.Error embeds the whole URL; the log must not show it, in any form.
func TestLoggerRedactsURLError(t *testing.T) {
	const secretURL = "https://hooks.example.com/services/T0/B0/s3cr3t-t0k3n?sig=abc def"
	var out strings.Builder
	r := &redactor{}
	r.addURL(secretURL)
	log := &logger{w: &out, prefix: "p: ", red: r}
	err := &url.Error{Op: "Post", URL: secretURL, Err: errors.New("connection reset")}
	log.printf("attempt 1/3 failed: %s", log.describe(fmt.Errorf("wrapped: %w", err)))
	log.printf("multi\nline %s", secretURL)
	got := out.String()
	for _, leak := range []string{"s3cr3t-t0k3n", "abc def", "abc+def", "abc%20def"} {
		if strings.Contains(got, leak) {
			t.Errorf("log leaks %q:\n%s", leak, got)
		}
	}
	if n := strings.Count(got, "\n"); n != 2 {
		t.Errorf("want 2 lines, got %d:\n%s", n, got)
	}
	if !strings.Contains(got, "connection reset") {
		t.Errorf("log lost the error text:\n%s", got)
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb\r\nc\td": `a\nb\r\nc\td`,
		"\x1b[2J":      `\x1b[2J`,
		"c1\u009b":     `c1\u009b`,
		"bidi\u202e":   `bidi\u202e`,
		"sep\u2028":    `sep\u2028`,
		"bell\a":       `bell\a`,
		"nul\x00":      `nul\x00`,
		"plain":        "plain",
		"é ü":          "é ü",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// Cutting text to size must not leave part of a secret behind: secrets are
// redacted before any cut.
func TestNoPartialSecrets(t *testing.T) {
	const secret = "0123456789-SECRET-abcdefghij"
	r := &run{redactor: &redactor{}, env: parseEnviron(testEnv("HOOKGEN_APP_NAME=app-" + secret))}
	r.log = &logger{w: io.Discard, red: r.redactor}
	r.redactor.add(secret)

	body := strings.Repeat("x", 190) + secret + strings.Repeat("y", 100)
	if got := excerpt(r.redactor, []byte(body)); strings.Contains(got, "0123") {
		t.Errorf("excerpt leaks part of the secret: %q", got)
	}
	for _, tmpl := range []string{`{{ trunc 10 .App.Name }}`, `{{ slice .App.Name 4 14 }}`, `{{ trunc 9 "` + secret + `" }}`} {
		got, err := r.render("--text", tmpl, r.context(""))
		if err != nil {
			t.Fatalf("%s: %v", tmpl, err)
		}
		if strings.Contains(got, "0123") {
			t.Errorf("%s renders part of the secret: %q", tmpl, got)
		}
	}
}
