package runner

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetryPolicyWait(t *testing.T) {
	p := retryPolicy{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	for n, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		var most time.Duration
		for range 200 {
			w := p.wait(n)
			if w < 0 || w > ceiling {
				t.Fatalf("wait(%d) = %s, outside [0, %s]", n, w, ceiling)
			}
			most = max(most, w)
		}
		if most < ceiling/2 { // full jitter spreads over the whole range
			t.Errorf("wait(%d): 200 draws all below %s", n, ceiling/2)
		}
	}
	if w := (&retryPolicy{}).wait(3); w != 0 {
		t.Errorf("zero backoff waits %s", w)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		" 10 ":                          10 * time.Second,
		"0":                             0,
		"-5":                            0,
		"soon":                          0,
		"Sun, 01 Mar 2026 12:00:30 GMT": 30 * time.Second,
		"Sun, 01 Mar 2026 11:00:00 GMT": 0,
		"999999999":                     24 * time.Hour,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseStatusSet(t *testing.T) {
	for _, tt := range []struct {
		in       string
		yes, no  []int
		wantFail bool
	}{
		{in: "200", yes: []int{200}, no: []int{201, 500}},
		{in: "2xx", yes: []int{200, 204, 299}, no: []int{300, 199}},
		{in: "200, 204,3XX", yes: []int{200, 204, 301}, no: []int{201}},
		{in: "200-202", yes: []int{200, 201, 202}, no: []int{203}},
		{in: "", wantFail: true},
		{in: "abc", wantFail: true},
		{in: "700", wantFail: true},
		{in: "300-200", wantFail: true},
		{in: "6xx", wantFail: true},
	} {
		s, err := parseStatusSet(tt.in)
		if (err != nil) != tt.wantFail {
			t.Errorf("parseStatusSet(%q) error %v", tt.in, err)
			continue
		}
		for _, c := range tt.yes {
			if !s.has(c) {
				t.Errorf("%q should accept %d", tt.in, c)
			}
		}
		for _, c := range tt.no {
			if s.has(c) {
				t.Errorf("%q should not accept %d", tt.in, c)
			}
		}
	}
}

// The fault-injection tests drive the webhook action against a loopback
// server; the retry machinery is the same for every HTTP action.
func webhookEnv(srv *fakeServer) []string {
	return testEnv("WEBHOOK_URL=" + srv.URL + "/hooks/sEcReT-PaTh-123")
}

func TestRetryFaults(t *testing.T) {
	tests := []struct {
		name      string
		script    []step
		flags     []string
		wantCode  int
		wantReqs  int
		wantInLog []string
	}{
		{
			name:      "500s then success",
			script:    []step{status(500, "boom"), status(502, ""), ok()},
			wantCode:  ExitOK,
			wantReqs:  3,
			wantInLog: []string{"attempt 1/5 failed after", "500 Internal Server Error, want 2xx: \"boom\"; retrying in", "attempt 2/5 failed", "attempt 3/5: POST", "200 OK"},
		},
		{
			name:      "slow response past the per-attempt timeout",
			script:    []step{slow(5 * time.Second), ok()},
			flags:     []string{"--timeout=300ms"},
			wantCode:  ExitOK,
			wantReqs:  2,
			wantInLog: []string{"attempt 1/5 failed after", "attempt timed out after 300ms", "attempt 2/5: POST"},
		},
		{
			name:      "connection reset",
			script:    []step{reset(), reset(), ok()},
			wantCode:  ExitOK,
			wantReqs:  3,
			wantInLog: []string{"attempt 1/5 failed", "EOF", "attempt 3/5: POST"},
		},
		{
			name:      "wrong status is not retried (best effort)",
			script:    []step{status(404, "no_service")},
			wantCode:  ExitOK,
			wantReqs:  1,
			wantInLog: []string{"404 Not Found, want 2xx: \"no_service\"; not retryable", "best effort, so the hook succeeds anyway"},
		},
		{
			name:      "wrong status is not retried (strict)",
			script:    []step{status(400, "invalid_payload")},
			flags:     []string{"--strict"},
			wantCode:  ExitFailed,
			wantReqs:  1,
			wantInLog: []string{"not retryable", "failing the hook"},
		},
		{
			name:      "redirect is not followed",
			script:    []step{status(302, "", "Location", "/elsewhere")},
			flags:     []string{"--best-effort=false"},
			wantCode:  ExitFailed,
			wantReqs:  1,
			wantInLog: []string{"302 Found", "redirects are not followed"},
		},
		{
			name:      "attempts run out",
			script:    []step{status(503, "")},
			flags:     []string{"--attempts=3", "--strict"},
			wantCode:  ExitFailed,
			wantReqs:  3,
			wantInLog: []string{"attempt 3/3 failed", "no attempts left", "failed after 3 attempts"},
		},
		{
			name:      "429 with Retry-After past the deadline",
			script:    []step{status(429, "", "Retry-After", "120")},
			flags:     []string{"--deadline=5s", "--strict"},
			wantCode:  ExitFailed,
			wantReqs:  1,
			wantInLog: []string{"429 Too Many Requests", "the server asked to retry after 2m0s, past the deadline"},
		},
		{
			name:      "unexpected status per --expect-status",
			script:    []step{ok()},
			flags:     []string{"--expect-status=202", "--strict"},
			wantCode:  ExitFailed,
			wantReqs:  1,
			wantInLog: []string{"200 OK, want 202", "not retryable"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, tt.script...)
			res := runMain(t, webhookEnv(srv), args([]string{"webhook"}, fast, tt.flags)...)
			res.wantCode(t, tt.wantCode)
			res.noLeak(t, "sEcReT-PaTh-123")
			if got := len(srv.requests()); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
			for _, want := range tt.wantInLog {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("log lacks %q", want)
				}
			}
			if got := len(res.attemptLines()); got != tt.wantReqs {
				t.Errorf("%d attempt lines, want one per request (%d)", got, tt.wantReqs)
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, status(429, "slow down", "Retry-After", "1"), ok())
	res := runMain(t, webhookEnv(srv), args([]string{"webhook"}, fast)...)
	res.wantCode(t, ExitOK)
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	// The backoff alone would wait at most 20ms.
	if res.elapsed < 900*time.Millisecond {
		t.Errorf("retried after %s, before the server's Retry-After of 1s", res.elapsed)
	}
	if !strings.Contains(res.stderr, "retrying in 1s") {
		t.Errorf("log does not show the Retry-After wait")
	}
	// The same delivery ID on both attempts.
	if a, b := reqs[0].Header.Get("X-Hookgen-Delivery"), reqs[1].Header.Get("X-Hookgen-Delivery"); a == "" || a != b {
		t.Errorf("delivery IDs %q, %q", a, b)
	}
}

func TestOverallDeadline(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		step step
	}{
		{"server errors", status(500, "")},
		{"slow server", slow(10 * time.Second)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, tt.step)
			const deadline = 1500 * time.Millisecond
			res := runMain(t, webhookEnv(srv), "webhook", "--strict", "--attempts=100", "--backoff=50ms",
				"--max-backoff=200ms", "--timeout=700ms", "--deadline="+deadline.String())
			res.wantCode(t, ExitFailed)
			if res.elapsed > deadline+time.Second {
				t.Errorf("took %s, past the %s deadline", res.elapsed, deadline)
			}
			if n := len(srv.requests()); n < 2 {
				t.Errorf("only %d attempts within the deadline", n)
			}
			if !strings.Contains(res.stderr, "deadline") {
				t.Errorf("log does not say the deadline stopped it")
			}
		})
	}
}

func TestCancelledContextStops(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, status(503, ""))
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	res := runMainCtx(t, ctx, webhookEnv(srv), "webhook", "--strict", "--attempts=100", "--backoff=100ms", "--deadline=30s")
	res.wantCode(t, ExitFailed)
	if res.elapsed > 2*time.Second {
		t.Errorf("took %s after the context ended", res.elapsed)
	}
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()
	// Nothing listens on a closed port: connection refused is retried.
	srv := newFakeServer(t, ok())
	url := srv.URL
	srv.Close()
	res := runMain(t, testEnv("WEBHOOK_URL="+url+"/x/sEcReT-PaTh-123"), args([]string{"webhook", "--attempts=3", "--strict"}, fast)...)
	res.wantCode(t, ExitFailed)
	res.noLeak(t, "sEcReT-PaTh-123")
	if got := len(res.attemptLines()); got != 3 || !strings.Contains(res.stderr, "connection refused") {
		t.Errorf("%d attempts, want 3 with connection refused", got)
	}
}

var _ = http.StatusOK
