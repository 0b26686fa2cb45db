package runner

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/internal/inert"
)

// redactionMark replaces every secret value wherever it would be printed or
// sent in message text.
const redactionMark = "[redacted]"

// redactor removes secret values from text. It knows each secret in the
// forms it may take once printed: raw, Go-quoted (%q, as in url.Error),
// JSON-escaped, URL-escaped, and flattened to one log line. For a secret
// URL it also knows the parts that carry the secret on their own (path,
// query, password).
type redactor struct {
	secrets []string // unique, longest first
}

// add registers a secret value (and its printed forms).
func (r *redactor) add(secret string) {
	if secret == "" {
		return
	}
	forms := []string{secret, oneLine(secret)}
	if q := strconv.Quote(secret); len(q) > 2 {
		forms = append(forms, q[1:len(q)-1])
	}
	if q := strconv.QuoteToASCII(secret); len(q) > 2 {
		forms = append(forms, q[1:len(q)-1])
	}
	if j, err := json.Marshal(secret); err == nil && len(j) > 2 {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	forms = append(forms, url.QueryEscape(secret), url.PathEscape(secret))
	for _, f := range forms {
		if f != "" && !slices.Contains(r.secrets, f) {
			r.secrets = append(r.secrets, f)
		}
	}
	slices.SortStableFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// addURL registers a secret URL: the whole value, its normalised form, and
// the parts that identify it on their own. The scheme and host are not
// secret (they show in DNS and connection errors anyway).
func (r *redactor) addURL(raw string) {
	r.add(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	r.add(u.String())
	if p, ok := u.User.Password(); ok {
		r.add(p)
		r.add(u.User.Username() + ":" + p)
	}
	// Each query value carries a secret on its own (?token=...): a server
	// may echo just that.
	for _, vs := range u.Query() {
		for _, v := range vs {
			r.addPart(v)
		}
	}
	// Short paths such as "/" or "/hook" identify nothing; the rest does.
	for _, part := range []string{u.EscapedPath(), u.Path, u.RawQuery, u.Fragment} {
		if len(strings.Trim(part, "/")) >= 8 {
			r.add(part)
		}
	}
}

// minPart is the shortest part of a secret registered on its own: shorter
// pieces ("1", "true") would blank out ordinary words and identify
// nothing.
const minPart = 4

// addPart registers a piece of a secret, unless it is too short to
// identify anything.
func (r *redactor) addPart(p string) {
	if len(p) >= minPart {
		r.add(p)
	}
}

// addCredential registers the value of a header that carries a
// credential, and the pieces a server may echo on their own: the
// credentials after an auth scheme ("Bearer abc" → "abc"), and for Basic
// the decoded "user:password" and the password.
func (r *redactor) addCredential(v string) {
	r.add(v)
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return
	}
	cred = strings.TrimSpace(cred)
	r.addPart(cred)
	if strings.EqualFold(scheme, "Basic") {
		if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
			r.addPart(string(dec))
			if user, pass, ok := strings.Cut(string(dec), ":"); ok {
				r.addPart(pass)
				r.addPart(user + ":")
			}
		}
	}
}

// redact returns s with every secret replaced. The result never contains a
// registered secret in any of its registered forms: occurrences (including
// overlapping ones) are found on the original text and each covered run is
// replaced by one mark ("***" when a secret is part of "[redacted]");
// should that ever join characters into a secret again, covered runs are
// then dropped until no secret is left.
func (r *redactor) redact(s string) string {
	if r == nil || len(r.secrets) == 0 || !r.contains(s) {
		return s
	}
	mark := redactionMark
	if r.contains(mark) { // a secret made of the mark's own letters
		mark = "***"
	}
	out := r.replaceCovered(s, mark)
	for r.contains(out) {
		out = r.replaceCovered(out, "")
	}
	return out
}

func (r *redactor) contains(s string) bool {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// replaceCovered replaces each maximal run of bytes covered by a secret
// occurrence with mark. Occurrences are found with Knuth-Morris-Pratt, so
// overlapping ones cost no more than others: linear in text and secrets.
func (r *redactor) replaceCovered(s, mark string) string {
	reach := make([]int, len(s)) // reach[i]: end of the longest occurrence starting at i
	for _, sec := range r.secrets {
		forEachMatch(s, sec, func(start int) {
			reach[start] = max(reach[start], start+len(sec))
		})
	}
	var b strings.Builder
	b.Grow(len(s))
	end, inRun := 0, false // end of the covered run so far
	for i := 0; i < len(s); i++ {
		end = max(end, reach[i])
		covered := i < end
		if covered && !inRun {
			b.WriteString(mark)
		}
		if !covered {
			b.WriteByte(s[i])
		}
		inRun = covered
	}
	return b.String()
}

// forEachMatch calls fn with the start of every occurrence of pat in s,
// overlapping ones included.
func forEachMatch(s, pat string, fn func(start int)) {
	m := len(pat)
	if m == 0 || m > len(s) {
		return
	}
	fail := make([]int, m) // KMP failure function
	for i, k := 1, 0; i < m; i++ {
		for k > 0 && pat[i] != pat[k] {
			k = fail[k-1]
		}
		if pat[i] == pat[k] {
			k++
		}
		fail[i] = k
	}
	for i, k := 0, 0; i < len(s); i++ {
		for k > 0 && s[i] != pat[k] {
			k = fail[k-1]
		}
		if s[i] == pat[k] {
			k++
		}
		if k == m {
			fn(i - m + 1)
			k = fail[k-1]
		}
	}
}

// oneLine makes s a single, inert log line: every control character (CR,
// LF and tab included: a value must not start a line of its own, nor move
// the cursor of a terminal or of Argo CD's UI) is written as its Go
// escape.
func oneLine(s string) string { return inert.Escape(s) }

// redactContext redacts every value of a template context, for messages
// built from the context without a template (Slack's fields).
func (r *redactor) redactContext(c Context) Context {
	for _, p := range []*string{
		&c.App.Name, &c.App.Namespace, &c.App.Project, &c.App.Revision, &c.App.RevisionShort,
		&c.App.RepoURL, &c.App.Path, &c.App.TargetRevision,
		&c.Hook.Name, &c.Hook.Phase, &c.Hook.Outcome,
		&c.ArgoCD.URL, &c.ArgoCD.AppURL, &c.Time, &c.Text,
	} {
		*p = r.redact(*p)
	}
	return c
}
