package runner

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"
	"golang.org/x/net/http/httpguts"
	"golang.org/x/net/http/httpproxy"
)

// maxResponseBody is how much of a response is read (and matched, for
// http-check).
const maxResponseBody = 1 << 20

// httpRequest is one HTTP request an action repeats until it succeeds.
type httpRequest struct {
	client *http.Client
	method string
	url    string
	logURL string // what the log shows of the URL
	red    *redactor
	header http.Header
	body   []byte
	accept statusSet
	// check, when set, judges an accepted response by its body; its errors
	// are retryable unless marked permanent.
	check func(body []byte) error
}

// attempt sends the request once.
func (h *httpRequest) attempt(ctx context.Context) (string, error) {
	var body io.Reader
	if h.body != nil {
		body = bytes.NewReader(h.body)
	}
	req, err := http.NewRequestWithContext(ctx, h.method, h.url, body)
	if err != nil {
		return "", permanent(safeURLError(err, h.logURL))
	}
	req.Header = h.header.Clone()
	resp, err := h.client.Do(req)
	if err != nil {
		return "", classifyTransport(safeURLError(err, h.logURL))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return "", fmt.Errorf("%s: reading the response: %w", resp.Status, err)
	}
	status := fmt.Sprintf("%s %s: %s", h.method, h.logURL, resp.Status)
	if !h.accept.has(resp.StatusCode) {
		err := fmt.Errorf("%s, want %s%s", status, h.accept, excerpt(h.red, data))
		switch {
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			return "", retryAfter(err, parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()))
		case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
			return "", err
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			return "", permanent(fmt.Errorf("%w (redirects are not followed)", err))
		default:
			return "", permanent(err)
		}
	}
	if h.check != nil {
		if err := h.check(data); err != nil {
			return "", fmt.Errorf("%s: %w", status, err)
		}
	}
	return status, nil
}

// excerpt shows the start of a response body in an error. Secrets are
// redacted before the cut, so that no part of one is left.
func excerpt(red *redactor, body []byte) string {
	s := strings.TrimSpace(red.redact(string(body)))
	if s == "" {
		return ""
	}
	if !utf8.ValidString(s) {
		return fmt.Sprintf(" (%d bytes of binary body)", len(body))
	}
	return ": " + strconv.Quote(truncateRunes(s, 200))
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > 24*3600 {
			secs = 24 * 3600
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// statusSet is a set of accepted HTTP status codes: "200", "2xx",
// "200,204", "200-299".
type statusSet struct {
	text   string
	ranges [][2]int
}

func parseStatusSet(s string) (statusSet, error) {
	set := statusSet{text: s}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		var lo, hi int
		switch {
		case len(part) == 3 && part[0] >= '1' && part[0] <= '5' && strings.EqualFold(part[1:], "xx"):
			lo = int(part[0]-'0') * 100
			hi = lo + 99
		case strings.Contains(part, "-"):
			a, b, _ := strings.Cut(part, "-")
			var err1, err2 error
			lo, err1 = strconv.Atoi(strings.TrimSpace(a))
			hi, err2 = strconv.Atoi(strings.TrimSpace(b))
			if err1 != nil || err2 != nil {
				return set, usageErrorf("bad status range %q", part)
			}
		default:
			n, err := strconv.Atoi(part)
			if err != nil {
				return set, usageErrorf("bad status %q (want e.g. 200, 2xx, 200,204 or 200-299)", part)
			}
			lo, hi = n, n
		}
		if lo < 100 || hi > 599 || lo > hi {
			return set, usageErrorf("bad status %q (codes are 100-599)", part)
		}
		set.ranges = append(set.ranges, [2]int{lo, hi})
	}
	return set, nil
}

func (s statusSet) has(code int) bool {
	for _, r := range s.ranges {
		if code >= r[0] && code <= r[1] {
			return true
		}
	}
	return false
}

func (s statusSet) String() string { return s.text }

// newHTTPClient builds the client of one run: proxies from the given
// environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as Go reads them), the
// CA file when given, and no redirects unless asked.
func (r *run) newHTTPClient(caFile string, followRedirects bool) (*http.Client, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pool, err := loadCAFile(caFile)
		if err != nil {
			return nil, err
		}
		tlsConf.RootCAs = pool
	}
	proxy := httpproxy.Config{
		HTTPProxy:  r.envAny("HTTP_PROXY", "http_proxy"),
		HTTPSProxy: r.envAny("HTTPS_PROXY", "https_proxy"),
		NoProxy:    r.envAny("NO_PROXY", "no_proxy"),
	}
	for _, p := range []string{proxy.HTTPProxy, proxy.HTTPSProxy} {
		if p != "" {
			r.redactor.addURL(p) // a proxy URL may carry credentials
		}
	}
	proxyFunc := proxy.ProxyFunc()
	tr := &http.Transport{
		Proxy:                 func(req *http.Request) (*url.URL, error) { return proxyFunc(req.URL) },
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   10 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	c := &http.Client{Transport: tr}
	if !followRedirects {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	} else {
		c.CheckRedirect = r.checkRedirect
	}
	return c, nil
}

// checkRedirect follows up to 10 redirects. Go drops only Authorization
// and Cookie on a redirect to another domain; the runner drops every
// header that carries a secret (--header-from-env, --header-from-file,
// and the credential headers) as soon as a redirect leaves the first
// request's scheme, host or port.
func (r *run) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	first := via[0].URL
	if req.URL.Scheme == first.Scheme && strings.EqualFold(req.URL.Host, first.Host) {
		return nil
	}
	for name := range r.secretHeaders {
		req.Header.Del(name)
	}
	for name := range credentialHeaders {
		req.Header.Del(name)
	}
	return nil
}

func (r *run) envAny(names ...string) string {
	for _, n := range names {
		if v := r.env[n]; v != "" {
			return v
		}
	}
	return ""
}

// loadCAFile returns the system roots plus the PEM certificates of file.
func loadCAFile(file string) (*x509.CertPool, error) {
	pem, err := readLimited(file, 1<<20)
	if err != nil {
		return nil, usageErrorf("--ca-file: %s", fileError(err))
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usageErrorf("--ca-file: no PEM certificate in %s", file)
	}
	return pool, nil
}

// checkHTTPURL validates a URL to send to. what names it in errors, and
// never with its value when secret.
func checkHTTPURL(raw, what string, secret bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	show := func() string {
		if secret {
			return ""
		}
		return fmt.Sprintf(" %q", raw)
	}
	if err != nil {
		return nil, usageErrorf("%s%s is not a valid URL", what, show())
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, usageErrorf("%s%s must be an http or https URL", what, show())
	}
	if u.Host == "" {
		return nil, usageErrorf("%s%s has no host", what, show())
	}
	return u, nil
}

// hostOnly is how the log shows a secret URL: scheme and host, which DNS
// and connection errors show anyway.
func hostOnly(u *url.URL) string {
	return u.Scheme + "://" + u.Host + "/" + redactionMark
}

// safeURLError rewrites a *url.Error (which embeds the full URL) to show
// logURL instead.
func safeURLError(err error, logURL string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: logURL, Err: ue.Err}
	}
	return err
}

// classifyTransport marks the transport errors retrying cannot fix:
// certificate problems and talking TLS to a non-TLS server. Connection
// errors, resets and timeouts stay retryable.
func classifyTransport(err error) error {
	var (
		cve *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
		rhe tls.RecordHeaderError
	)
	if errors.As(err, &uae) {
		err = fmt.Errorf("%w; if a private CA signed it, trust that CA with --ca-file (the caBundle parameter of the runner templates)", err)
	}
	switch {
	case errors.As(err, &cve), errors.As(err, &uae), errors.As(err, &he), errors.As(err, &cie),
		errors.As(err, &rhe), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return permanent(err)
	}
	return err
}

// headerFlags collects request headers: plain ones from flags, secret ones
// from an environment variable or a file.
type headerFlags struct {
	plain    []string // "Name: value"
	fromEnv  []string // "Name=ENV_VAR"
	fromFile []string // "Name=/path/to/file"
}

func (h *headerFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&h.plain, "header", nil, `request header "Name: value" (repeatable; visible in the pod spec, so not for secrets)`)
	fs.StringArrayVar(&h.fromEnv, "header-from-env", nil, `secret request header "Name=ENV_VAR": the value is read from that variable (repeatable)`)
	fs.StringArrayVar(&h.fromFile, "header-from-file", nil, `secret request header "Name=/path": the value is read from that file (repeatable)`)
}

// credentialHeaders carry credentials by their nature: their values are
// redacted even when given with --header.
var credentialHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "X-Api-Key": true}

// reserved headers are set by the runner or by Go.
var reservedHeaders = map[string]bool{"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true}

// apply adds the headers to hdr, registering secret values for redaction.
func (h *headerFlags) apply(r *run, hdr http.Header) error {
	set := func(name, value string, secret bool) error {
		name = strings.TrimSpace(name)
		if !httpguts.ValidHeaderFieldName(name) {
			return usageErrorf("invalid header name %q", name)
		}
		canon := http.CanonicalHeaderKey(name)
		if reservedHeaders[canon] {
			return usageErrorf("header %s cannot be set", canon)
		}
		if !httpguts.ValidHeaderFieldValue(value) {
			if secret {
				return usageErrorf("header %s: the secret value has invalid characters (a newline?)", canon)
			}
			return usageErrorf("header %s: invalid value", canon)
		}
		if secret || credentialHeaders[canon] {
			r.redactor.addCredential(value)
			r.secretHeaders[canon] = true
		}
		hdr.Add(canon, value)
		return nil
	}
	for _, kv := range h.plain {
		name, value, ok := strings.Cut(kv, ":")
		if !ok {
			return usageErrorf("--header %q: want \"Name: value\"", kv)
		}
		if err := set(name, strings.TrimSpace(value), false); err != nil {
			return err
		}
	}
	for _, kv := range h.fromEnv {
		name, env, ok := strings.Cut(kv, "=")
		if !ok || env == "" {
			return usageErrorf("--header-from-env %q: want \"Name=ENV_VAR\"", kv)
		}
		v, ok := r.env[env]
		if !ok || v == "" {
			return usageErrorf("--header-from-env %s: variable %s is not set", name, env)
		}
		if err := set(name, strings.TrimRight(v, "\r\n"), true); err != nil {
			return err
		}
	}
	for _, kv := range h.fromFile {
		name, file, ok := strings.Cut(kv, "=")
		if !ok || file == "" {
			return usageErrorf("--header-from-file %q: want \"Name=/path\"", kv)
		}
		b, err := readLimited(file, maxSecretFile)
		if err != nil {
			return usageErrorf("--header-from-file %s: %s", name, fileError(err))
		}
		if err := set(name, strings.TrimRight(string(b), "\r\n"), true); err != nil {
			return err
		}
	}
	return nil
}

// userAgent identifies the runner to servers.
const userAgent = "hookgen-runner"

// closeIdle releases the client's connections at the end of a run.
func closeIdle(c *http.Client) {
	if c != nil {
		c.CloseIdleConnections()
	}
}
