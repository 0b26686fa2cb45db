package runner

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/inert"
)

// TestRedirectDropsSecretHeaders checks that a followed redirect to another
// host (here another port of the same address, which Go itself treats as
// the same domain) carries no header that holds a secret, while a redirect
// on the same host keeps them.
func TestRedirectDropsSecretHeaders(t *testing.T) {
	t.Parallel()
	const (
		apiKey = "k3y-from-env-0001"
		token  = "b3arer-from-file-0002"
	)
	tokenFile := writeFile(t, "token", "Bearer "+token+"\n")
	for _, tc := range []struct {
		name      string
		crossHost bool
	}{
		{"same host", false},
		{"another host", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			other := newFakeServer(t, ok())
			first := newFakeServer(t, nil)
			target := "/next"
			if tc.crossHost {
				target = other.URL + "/next"
			}
			first.script = []step{status(302, "", "Location", target), ok()}
			env := []string{"API_KEY=" + apiKey}
			res := runMain(t, env, args([]string{"http-check", "--url", first.URL + "/start", "--follow-redirects",
				"--header-from-env", "X-Api-Key=API_KEY",
				"--header-from-file", "Authorization=" + tokenFile,
				"--header", "X-Trace: plain-value",
			}, fast)...)
			res.wantCode(t, ExitOK)
			res.noLeak(t, apiKey, token)
			reqs := first.requests()
			if tc.crossHost {
				reqs = other.requests()
			}
			if len(reqs) == 0 {
				t.Fatal("the redirect was not followed")
			}
			last := reqs[len(reqs)-1]
			for _, h := range []string{"X-Api-Key", "Authorization"} {
				got := last.Header.Get(h)
				if tc.crossHost && got != "" {
					t.Errorf("the redirect to another host carried %s: %q", h, got)
				}
				if !tc.crossHost && got == "" {
					t.Errorf("the redirect on the same host lost %s", h)
				}
			}
			if last.Header.Get("X-Trace") != "plain-value" {
				t.Errorf("a plain header was dropped: %v", last.Header)
			}
		})
	}
}

// TestRedactsSecretParts checks that a server echoing only a piece of a
// secret (a query value, a bearer token without "Bearer ", a Basic
// password, the decoded user:password) gets nothing printed, in any log
// line, first or later, and that control characters in what is echoed are
// escaped.
func TestRedactsSecretParts(t *testing.T) {
	t.Parallel()
	const (
		queryToken = "qtoken-5555-abcd"
		bearer     = "bearer-6666-efgh"
		password   = "pa55-7777-ijkl"
	)
	basic := base64.StdEncoding.EncodeToString([]byte("robot:" + password))
	for _, tc := range []struct {
		name, echo string
	}{
		{"query value", queryToken},
		{"bearer value", bearer},
		{"basic password", password},
		{"basic decoded", "robot:" + password},
		{"basic encoded", basic},
		{"escape sequences", "\x1b[2J\x1b]0;title\x07\u009b31m\u202eevil\nfake line\r"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(500)
				w.Write([]byte("you sent " + tc.echo))
			})
			env := []string{
				"WEBHOOK_URL=" + srv.URL + "/hook?token=" + queryToken + "&x=1",
				"BEARER=Bearer " + bearer,
				"BASIC=Basic " + basic,
			}
			res := runMain(t, env, args([]string{"webhook", "--attempts=3", "--strict",
				"--header-from-env", "Authorization=BEARER",
				"--header-from-env", "X-Basic=BASIC",
			}, fast)...)
			res.wantCode(t, ExitFailed)
			res.noLeak(t, queryToken, bearer, password, basic)
			if n := strings.Count(res.stderr, "you sent"); n < 3 {
				t.Errorf("the echo shows in %d lines, want every attempt", n)
			}
			for _, c := range res.stderr {
				if c != '\n' && inert.IsControl(c) {
					t.Fatalf("the log holds the control character %U:\n%q", c, res.stderr)
				}
			}
			if strings.Count(res.stderr, "\n") != len(strings.Split(strings.TrimSpace(res.stderr), "\n")) {
				t.Errorf("an echoed value started a line of its own:\n%s", res.stderr)
			}
		})
	}
}
