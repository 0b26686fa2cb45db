package runner

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

type httpCheckConfig struct {
	url             string
	method          string
	expectStatus    string
	expectBody      string
	expectRegexp    string
	headers         headerFlags
	caFile          string
	followRedirects bool
}

func newHTTPCheckConfig(fs *pflag.FlagSet) config {
	c := &httpCheckConfig{}
	fs.StringVar(&c.url, "url", "", "URL to check (required)")
	fs.StringVar(&c.method, "method", http.MethodGet, "HTTP method: GET or HEAD")
	fs.StringVar(&c.expectStatus, "expect-status", "200", "accepted status codes, e.g. 200, 2xx, 200,204 or 200-299")
	fs.StringVar(&c.expectBody, "expect-body", "", "text the response body must contain")
	fs.StringVar(&c.expectRegexp, "expect-body-regexp", "", "regular expression (RE2) the response body must match")
	c.headers.register(fs)
	fs.StringVar(&c.caFile, "ca-file", "", "PEM file of CA certificates trusted besides the system's")
	fs.BoolVar(&c.followRedirects, "follow-redirects", false, "follow redirects (up to 10) instead of judging the redirect itself")
	return c
}

func (c *httpCheckConfig) prepare(r *run) (attemptFunc, string, error) {
	if c.url == "" {
		return nil, "", usageErrorf("--url is required")
	}
	u, err := checkHTTPURL(c.url, "--url", false)
	if err != nil {
		return nil, "", err
	}
	if p, ok := u.User.Password(); ok {
		r.redactor.add(p)
	}
	method := strings.ToUpper(c.method)
	if method != http.MethodGet && method != http.MethodHead {
		return nil, "", usageErrorf("--method %q: want GET or HEAD", c.method)
	}
	accept, err := parseStatusSet(c.expectStatus)
	if err != nil {
		return nil, "", err
	}
	var re *regexp.Regexp
	if c.expectRegexp != "" {
		if re, err = regexp.Compile(c.expectRegexp); err != nil {
			return nil, "", usageErrorf("--expect-body-regexp: %v", err)
		}
	}
	if method == http.MethodHead && (c.expectBody != "" || re != nil) {
		return nil, "", usageErrorf("a HEAD response has no body to match")
	}
	hdr := http.Header{"User-Agent": {userAgent}}
	if err := c.headers.apply(r, hdr); err != nil {
		return nil, "", err
	}
	client, err := r.newHTTPClient(c.caFile, c.followRedirects)
	if err != nil {
		return nil, "", err
	}
	r.cleanups = append(r.cleanups, func() { closeIdle(client) })
	req := &httpRequest{
		client: client,
		method: method,
		url:    c.url,
		logURL: u.Redacted(),
		red:    r.redactor,
		header: hdr,
		accept: accept,
	}
	if c.expectBody != "" || re != nil {
		want := []byte(c.expectBody)
		// A body that does not match yet is retried: behind a load balancer
		// old and new pods can answer side by side for a while.
		req.check = func(body []byte) error {
			if len(want) > 0 && !bytes.Contains(body, want) {
				return fmt.Errorf("body does not contain %s%s", strconv.Quote(c.expectBody), excerpt(r.redactor, body))
			}
			if re != nil && !re.Match(body) {
				return fmt.Errorf("body does not match /%s/%s", c.expectRegexp, excerpt(r.redactor, body))
			}
			return nil
		}
	}
	target := fmt.Sprintf("%s %s, want %s", method, req.logURL, accept)
	if c.expectBody != "" {
		target += fmt.Sprintf(" and a body containing %q", c.expectBody)
	}
	if re != nil {
		target += fmt.Sprintf(" and a body matching /%s/", c.expectRegexp)
	}
	return req.attempt, target, nil
}
