package runner

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHTTPCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		script    []step
		flags     []string
		wantCode  int
		wantReqs  int
		wantInLog string
	}{
		{"200", []step{ok()}, nil, ExitOK, 1, "attempt 1/10: GET"},
		{"503 then 200", []step{status(503, ""), status(503, ""), ok()}, nil, ExitOK, 3, "attempt 3/10: GET"},
		{"404 fails at once", []step{status(404, "")}, nil, ExitFailed, 1, "not retryable"},
		{"404 best effort", []step{status(404, "")}, []string{"--best-effort"}, ExitOK, 1, "best effort"},
		{"expected 404", []step{status(404, "")}, []string{"--expect-status=404"}, ExitOK, 1, "404 Not Found"},
		{"body contains", []step{status(200, `{"status":"UP","version":"1.8.2"}`)}, []string{"--expect-body", `"UP"`}, ExitOK, 1, ""},
		{"body regexp", []step{status(200, `version 1.8.2`)}, []string{"--expect-body-regexp", `version 1\.8\.\d+`}, ExitOK, 1, ""},
		{"body mismatch then match", []step{status(200, "version 1.8.1"), status(200, "version 1.8.2")}, []string{"--expect-body=1.8.2"}, ExitOK, 2, `body does not contain "1.8.2": "version 1.8.1"`},
		{"body never matches", []step{status(200, "nope")}, []string{"--expect-body-regexp=^yes$", "--attempts=3"}, ExitFailed, 3, "body does not match /^yes$/"},
		{"HEAD", []step{ok()}, []string{"--method=HEAD"}, ExitOK, 1, "HEAD"},
		{"redirect judged as is", []step{status(301, "", "Location", "/next")}, []string{"--expect-status=301"}, ExitOK, 1, "301 Moved Permanently"},
		{"redirect followed", []step{status(302, "", "Location", "/next"), ok()}, []string{"--follow-redirects"}, ExitOK, 2, "200 OK"},
		{"2xx range", []step{status(204, "")}, []string{"--expect-status=2xx"}, ExitOK, 1, "204 No Content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, tt.script...)
			res := runMain(t, nil, args([]string{"http-check", "--url", srv.URL + "/healthz"}, fast, tt.flags)...)
			res.wantCode(t, tt.wantCode)
			if got := len(srv.requests()); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
			if !strings.Contains(res.stderr, tt.wantInLog) {
				t.Errorf("log lacks %q", tt.wantInLog)
			}
		})
	}
}

func TestHTTPCheckRequest(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, ok())
	srv.script = []step{func(w http.ResponseWriter, r *http.Request) {
		// Echo the credentials back, as a careless server might.
		w.Write([]byte(r.Header.Get("Authorization") + " " + r.Header.Get("Cookie")))
	}}
	res := runMain(t, []string{"CHECK_TOKEN=check-secret-77"}, "http-check", "--url", srv.URL+"/healthz?full=1",
		"--header", "Accept: application/json", "--header-from-env", "Authorization=CHECK_TOKEN",
		"--header", "Cookie: sid=cookie-secret-88", "--expect-body=nothing-like-this", "--attempts=1")
	res.wantCode(t, ExitFailed)
	res.noLeak(t, "check-secret-77", "cookie-secret-88")
	if !strings.Contains(res.stderr, `"[redacted] [redacted]"`) {
		t.Errorf("the echoed credentials are not shown redacted")
	}
	req := srv.requests()[0]
	if req.Method != http.MethodGet || req.Path != "/healthz?full=1" || len(req.Body) != 0 {
		t.Errorf("request %s %s %q", req.Method, req.Path, req.Body)
	}
	if req.Header.Get("Accept") != "application/json" || req.Header.Get("Authorization") != "check-secret-77" || req.Header.Get("User-Agent") != "hookgen-runner" {
		t.Errorf("headers %v", req.Header)
	}
}

func TestHTTPCheckTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secure")) }))
	t.Cleanup(srv.Close)
	ca := writeFile(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))

	res := runMain(t, nil, args([]string{"http-check", "--url", srv.URL, "--expect-body=secure", "--ca-file", ca}, fast)...)
	res.wantCode(t, ExitOK)

	// Without the CA the certificate is unknown: not retryable.
	res = runMain(t, nil, args([]string{"http-check", "--url", srv.URL}, fast)...)
	res.wantCode(t, ExitFailed)
	if n := len(res.attemptLines()); n != 1 || !strings.Contains(res.stderr, "certificate") {
		t.Errorf("%d attempts; want 1 failing on the certificate", n)
	}

	res = runMain(t, nil, "http-check", "--url", srv.URL, "--ca-file", writeFile(t, "bad.pem", "not a cert"))
	res.wantCode(t, ExitUsage)
}

// Proxies come from the given environment, not the process's, and a proxy
// password never shows in the log.
func TestHTTPCheckProxyFromEnviron(t *testing.T) {
	t.Parallel()
	proxy := newFakeServer(t, status(200, "via proxy"))
	env := []string{"HTTP_PROXY=http://user:proxy-pass-99@" + strings.TrimPrefix(proxy.URL, "http://"), "NO_PROXY=internal.example"}
	res := runMain(t, env, "http-check", "--url", "http://app.shop.svc.cluster.example:8080/healthz", "--expect-body=via proxy")
	res.wantCode(t, ExitOK)
	res.noLeak(t, "proxy-pass-99")
	reqs := proxy.requests()
	if len(reqs) != 1 || !reqs[0].Proxy || reqs[0].Host != "app.shop.svc.cluster.example:8080" || reqs[0].Header.Get("Proxy-Authorization") == "" {
		t.Fatalf("proxy saw %+v", reqs)
	}
	// NO_PROXY is honoured: this one goes direct (and fails: no such host).
	res = runMain(t, env, "http-check", "--url", "http://internal.example/healthz", "--attempts=1", "--timeout=2s")
	res.wantCode(t, ExitFailed)
	if len(proxy.requests()) != 1 {
		t.Errorf("NO_PROXY host went through the proxy")
	}
}

func TestHTTPCheckUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args    []string
		wantLog string
	}{
		{nil, "--url is required"},
		{[]string{"--url=localhost:8080"}, "must be an http or https URL"},
		{[]string{"--url=http://"}, "has no host"},
		{[]string{"--url=http://x", "--method=POST"}, "want GET or HEAD"},
		{[]string{"--url=http://x", "--expect-body-regexp=("}, "missing closing )"},
		{[]string{"--url=http://x", "--method=HEAD", "--expect-body=x"}, "no body"},
		{[]string{"--url=http://x", "--expect-status=200-"}, "bad status range"},
		{[]string{"--url=http://x", "--attempts=0"}, "--attempts must be between 1 and 100"},
		{[]string{"--url=http://x", "--timeout=0s"}, "--timeout must be positive"},
		{[]string{"--url=http://x", "--backoff=2s", "--max-backoff=1s"}, "--max-backoff must not be below --backoff"},
		{[]string{"--url=http://x", "--strict", "--best-effort"}, "contradicts"},
		{[]string{"--url=http://x", "extra"}, "unexpected arguments"},
		{[]string{"--url=http://x", "--nope"}, "unknown flag: --nope"},
	} {
		res := runMain(t, nil, append([]string{"http-check"}, tt.args...)...)
		res.wantCode(t, ExitUsage)
		if !strings.Contains(res.stderr, tt.wantLog) {
			t.Errorf("%v: log lacks %q", tt.args, tt.wantLog)
		}
	}
}

// Every HTTP action trusts the CA of --ca-file besides the system's; without
// it a private CA's certificate fails at once, naming the certificate.
func TestHTTPActionsCAFile(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	t.Cleanup(srv.Close)
	ca := writeFile(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	tests := []struct {
		action string
		env    []string
	}{
		{"webhook", testEnv("WEBHOOK_URL=" + srv.URL + "/hooks/x")},
		{"slack", testEnv("SLACK_WEBHOOK_URL=" + srv.URL + "/services/x")},
		{"http-check", nil},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			base := []string{tt.action, "--strict"}
			if tt.action == "http-check" {
				base = append(base, "--url", srv.URL)
			}
			res := runMain(t, tt.env, args(base, fast, []string{"--ca-file", ca})...)
			res.wantCode(t, ExitOK)

			res = runMain(t, tt.env, args(base, fast)...)
			res.wantCode(t, ExitFailed)
			if n := len(res.attemptLines()); n != 1 || !strings.Contains(res.stderr, "certificate signed by unknown authority; if a private CA signed it, trust that CA with --ca-file") {
				t.Errorf("%d attempts; want 1 failing on the unknown authority:\n%s", n, res.stderr)
			}

			res = runMain(t, tt.env, args(base, []string{"--ca-file", writeFile(t, "bad.pem", "not a cert")})...)
			res.wantCode(t, ExitUsage)
			if !strings.Contains(res.stderr, "--ca-file: no PEM certificate in") {
				t.Errorf("stderr does not name the bad CA file:\n%s", res.stderr)
			}
		})
	}
}
