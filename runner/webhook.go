package runner

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/net/http/httpguts"
)

type webhookConfig struct {
	urlFile         string
	method          string
	text            string
	body            string
	bodyFile        string
	headers         headerFlags
	hmacFile        string
	signatureHeader string
	expectStatus    string
	argocdURL       string
	caFile          string
}

func newWebhookConfig(fs *pflag.FlagSet) config {
	c := &webhookConfig{}
	fs.StringVar(&c.urlFile, "url-file", "", "file holding the URL to send to (default: env WEBHOOK_URL)")
	fs.StringVar(&c.method, "method", http.MethodPost, "HTTP method: POST, PUT or PATCH")
	fs.StringVar(&c.text, "text", "", "short message template, .Text in the body (default: \"<app> sync succeeded at <revision>\", phase-aware)")
	fs.StringVar(&c.body, "body", "", "JSON body template (default: a document with text, app, hook, argocd and time)")
	fs.StringVar(&c.bodyFile, "body-file", "", "file holding the JSON body template")
	c.headers.register(fs)
	fs.StringVar(&c.hmacFile, "hmac-secret-file", "", "file holding the HMAC-SHA256 key that signs the body (default: env WEBHOOK_HMAC_SECRET; no signature when neither is set)")
	fs.StringVar(&c.signatureHeader, "signature-header", "X-Hookgen-Signature", `header carrying the signature "sha256=<hex>"`)
	fs.StringVar(&c.expectStatus, "expect-status", "2xx", "accepted status codes, e.g. 200, 2xx, 200,202 or 200-299")
	fs.StringVar(&c.argocdURL, "argocd-url", "", "Argo CD base URL for .ArgoCD.AppURL (default: env HOOKGEN_ARGOCD_URL)")
	fs.StringVar(&c.caFile, "ca-file", "", "PEM file of CA certificates trusted besides the system's")
	return c
}

func (c *webhookConfig) prepare(r *run) (attemptFunc, string, error) {
	raw, source, err := r.secret(c.urlFile, "WEBHOOK_URL", "--url-file")
	if err != nil {
		return nil, "", err
	}
	if raw == "" {
		return nil, "", usageErrorf("no webhook URL: set env WEBHOOK_URL or --url-file")
	}
	raw = strings.TrimSpace(raw)
	r.redactor.addURL(raw)
	u, err := checkHTTPURL(raw, "the webhook URL (from "+source+")", true)
	if err != nil {
		return nil, "", err
	}
	method := strings.ToUpper(c.method)
	if method != http.MethodPost && method != http.MethodPut && method != http.MethodPatch {
		return nil, "", usageErrorf("--method %q: want POST, PUT or PATCH", c.method)
	}
	accept, err := parseStatusSet(c.expectStatus)
	if err != nil {
		return nil, "", err
	}
	hmacKey, _, err := r.secret(c.hmacFile, "WEBHOOK_HMAC_SECRET", "--hmac-secret-file")
	if err != nil {
		return nil, "", err
	}
	r.redactor.add(hmacKey)
	if hmacKey != "" && !httpguts.ValidHeaderFieldName(c.signatureHeader) {
		return nil, "", usageErrorf("--signature-header %q is not a valid header name", c.signatureHeader)
	}
	hdr := http.Header{"Content-Type": {"application/json"}, "User-Agent": {userAgent}}
	if err := c.headers.apply(r, hdr); err != nil {
		return nil, "", err
	}

	argocd, err := r.argocdURL(c.argocdURL)
	if err != nil {
		return nil, "", err
	}
	data := r.context(argocd)
	if data.Text, err = r.render("--text", orDefault(c.text, defaultText), data); err != nil {
		return nil, "", err
	}
	tmpl, err := readTemplate(c.body, c.bodyFile, defaultWebhookBody, "--body")
	if err != nil {
		return nil, "", err
	}
	body, err := r.render("--body", tmpl, data)
	if err != nil {
		return nil, "", err
	}
	if !json.Valid([]byte(body)) {
		var v any
		err := json.Unmarshal([]byte(body), &v)
		return nil, "", usageErrorf("--body does not render to valid JSON: %s", r.log.clean(err.Error()))
	}

	// One delivery ID for every attempt, so a receiver can drop duplicates.
	var id [16]byte
	rand.Read(id[:])
	hdr.Set("X-Hookgen-Delivery", hex.EncodeToString(id[:]))
	if hmacKey != "" {
		mac := hmac.New(sha256.New, []byte(hmacKey))
		mac.Write([]byte(body))
		hdr.Set(c.signatureHeader, "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}

	client, err := r.newHTTPClient(c.caFile, false)
	if err != nil {
		return nil, "", err
	}
	r.cleanups = append(r.cleanups, func() { closeIdle(client) })
	req := &httpRequest{
		client: client,
		method: method,
		url:    raw,
		logURL: hostOnly(u),
		red:    r.redactor,
		header: hdr,
		body:   []byte(body),
		accept: accept,
	}
	target := method + " " + req.logURL + " (URL from " + source
	if hmacKey != "" {
		target += ", signed in " + http.CanonicalHeaderKey(c.signatureHeader)
	}
	return req.attempt, target + ")", nil
}
