package runner

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	gomail "github.com/wneessen/go-mail"
)

type emailConfig struct {
	host         string
	port         int
	tlsMode      string
	auth         string
	username     string
	passwordFile string
	from         string
	to           []string
	cc           []string
	subject      string
	body         string
	bodyFile     string
	caFile       string
	argocdURL    string
}

func newEmailConfig(fs *pflag.FlagSet) config {
	c := &emailConfig{}
	fs.StringVar(&c.host, "smtp-host", "", "SMTP relay host (default: env SMTP_HOST)")
	fs.IntVar(&c.port, "smtp-port", 0, "SMTP port (default: env SMTP_PORT, else 587 for starttls, 465 for tls, 25 for none)")
	fs.StringVar(&c.tlsMode, "tls", "", "starttls, tls (implicit TLS) or none (plain text; for in-cluster relays) (default: env SMTP_TLS, else starttls)")
	fs.StringVar(&c.auth, "auth", "", "plain, login or none (default: plain when a username is set, else none)")
	fs.StringVar(&c.username, "username", "", "SMTP user name (default: env SMTP_USERNAME)")
	fs.StringVar(&c.passwordFile, "password-file", "", "file holding the SMTP password (default: env SMTP_PASSWORD)")
	fs.StringVar(&c.from, "from", "", "sender address, e.g. \"Argo CD <argocd@example.com>\" (default: env SMTP_FROM)")
	fs.StringArrayVar(&c.to, "to", nil, "recipient address (repeatable, or comma-separated)")
	fs.StringArrayVar(&c.cc, "cc", nil, "copy recipient address (repeatable, or comma-separated)")
	fs.StringVar(&c.subject, "subject", "", "subject template, .Text in the body (default: \"<app> sync succeeded at <revision>\", phase-aware)")
	fs.StringVar(&c.body, "body", "", "plain-text body template (default: a summary of the app, revision, hook and outcome)")
	fs.StringVar(&c.bodyFile, "body-file", "", "file holding the body template")
	fs.StringVar(&c.caFile, "ca-file", "", "PEM file of CA certificates trusted besides the system's, for a private relay")
	fs.StringVar(&c.argocdURL, "argocd-url", "", "Argo CD base URL for .ArgoCD.AppURL (default: env HOOKGEN_ARGOCD_URL)")
	return c
}

func (c *emailConfig) prepare(r *run) (attemptFunc, string, error) {
	password, pwSource, err := r.secret(c.passwordFile, "SMTP_PASSWORD", "--password-file")
	if err != nil {
		return nil, "", err
	}
	r.redactor.add(password)

	host := strings.TrimSpace(r.envOr(c.host, "SMTP_HOST"))
	if host == "" {
		return nil, "", usageErrorf("no SMTP host: set --smtp-host or env SMTP_HOST")
	}
	mode := strings.ToLower(r.envOr(c.tlsMode, "SMTP_TLS"))
	if mode == "" {
		mode = "starttls"
	}
	port := c.port
	if port == 0 && r.env["SMTP_PORT"] != "" {
		p, err := strconv.Atoi(r.env["SMTP_PORT"])
		if err != nil {
			return nil, "", usageErrorf("env SMTP_PORT %q is not a port number", r.env["SMTP_PORT"])
		}
		port = p
	}
	var opts []gomail.Option
	switch mode {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		port = cmp0(port, 587)
	case "tls":
		opts = append(opts, gomail.WithSSL())
		port = cmp0(port, 465)
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		port = cmp0(port, 25)
	default:
		return nil, "", usageErrorf("--tls %q: want starttls, tls or none", mode)
	}
	if port < 1 || port > 65535 {
		return nil, "", usageErrorf("SMTP port %d is out of range", port)
	}
	opts = append(opts, gomail.WithPort(port))

	username := r.envOr(c.username, "SMTP_USERNAME")
	authMode := strings.ToLower(c.auth)
	if authMode == "" {
		authMode = "none"
		if username != "" {
			authMode = "plain"
		}
	}
	switch authMode {
	case "none":
		if password != "" && c.auth == "" {
			return nil, "", usageErrorf("an SMTP password is set (%s) but no username: set --username or env SMTP_USERNAME", pwSource)
		}
	case "plain", "login":
		if username == "" || password == "" {
			return nil, "", usageErrorf("--auth %s needs a username (--username, env SMTP_USERNAME) and a password (--password-file, env SMTP_PASSWORD)", authMode)
		}
		// With --tls=none the user chose a plain-text relay; go-mail's
		// "NOENC" variants allow credentials over it.
		var auth gomail.SMTPAuthType
		switch {
		case authMode == "plain" && mode != "none":
			auth = gomail.SMTPAuthPlain
		case authMode == "plain":
			auth = gomail.SMTPAuthPlainNoEnc
		case mode != "none":
			auth = gomail.SMTPAuthLogin
		default:
			auth = gomail.SMTPAuthLoginNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(username), gomail.WithPassword(password))
	default:
		return nil, "", usageErrorf("--auth %q: want plain, login or none", c.auth)
	}

	tlsConf := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if c.caFile != "" {
		pool, err := loadCAFile(c.caFile)
		if err != nil {
			return nil, "", err
		}
		tlsConf.RootCAs = pool
	}
	opts = append(opts, gomail.WithTLSConfig(tlsConf))
	if _, err := gomail.NewClient(host, opts...); err != nil {
		return nil, "", usageErrorf("SMTP settings: %v", err)
	}

	// Addresses.
	from := r.envOr(c.from, "SMTP_FROM")
	if from == "" {
		return nil, "", usageErrorf("no sender: set --from or env SMTP_FROM")
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, "", usageErrorf("--from %q: %v", from, err)
	}
	to, cc := splitAddrs(c.to), splitAddrs(c.cc)
	if len(to)+len(cc) == 0 {
		return nil, "", usageErrorf("no recipient: set --to (or --cc)")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, "", usageErrorf("--from %q: %v", from, err)
	}
	if len(to) > 0 {
		if err := msg.To(to...); err != nil {
			return nil, "", usageErrorf("--to: %v", err)
		}
	}
	if len(cc) > 0 {
		if err := msg.Cc(cc...); err != nil {
			return nil, "", usageErrorf("--cc: %v", err)
		}
	}

	// Content.
	argocd, err := r.argocdURL(c.argocdURL)
	if err != nil {
		return nil, "", err
	}
	data := r.context(argocd)
	subject, err := r.render("--subject", orDefault(c.subject, defaultText), data)
	if err != nil {
		return nil, "", err
	}
	subject = strings.Join(strings.Fields(subject), " ") // one header line
	if subject == "" {
		return nil, "", usageErrorf("--subject renders to an empty subject")
	}
	data.Text = subject
	tmpl, err := readTemplate(c.body, c.bodyFile, defaultEmailBody, "--body")
	if err != nil {
		return nil, "", err
	}
	body, err := r.render("--body", tmpl, data)
	if err != nil {
		return nil, "", err
	}
	msg.Subject(subject)
	msg.SetDate()
	// One Message-ID for every attempt, so retries that did get through
	// are recognisably the same message.
	var id [12]byte
	rand.Read(id[:])
	msg.SetMessageIDWithValue(hex.EncodeToString(id[:]) + "." + strconv.FormatInt(r.now.Unix(), 10) + "@" + domainOf(fromAddr.Address))
	msg.SetUserAgent(userAgent)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, body)

	attempt := func(ctx context.Context) (string, error) {
		timeout := time.Second
		if d, ok := ctx.Deadline(); ok {
			timeout = max(time.Until(d), time.Millisecond)
		}
		// A dialer that closes the connection when the attempt's context
		// ends keeps every SMTP command inside the attempt's timeout.
		dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(dctx, network, addr)
			if err != nil {
				return nil, err
			}
			context.AfterFunc(ctx, func() { conn.Close() })
			if mode == "tls" {
				tc := tls.Client(conn, tlsConf.Clone())
				if err := tc.HandshakeContext(dctx); err != nil {
					conn.Close()
					return nil, err
				}
				return tc, nil
			}
			return conn, nil
		}
		all := append(slices.Clip(opts), gomail.WithTimeout(timeout), gomail.WithDialContextFunc(dial))
		client, err := gomail.NewClient(host, all...)
		if err != nil {
			return "", permanent(err)
		}
		if err := client.DialAndSendWithContext(ctx, msg); err != nil {
			return "", classifySMTP(err)
		}
		return fmt.Sprintf("sent %s to %d recipient(s)", msg.GetMessageID(), len(to)+len(cc)), nil
	}
	target := fmt.Sprintf("SMTP %s:%d (%s", host, port, mode)
	if authMode != "none" {
		target += fmt.Sprintf(", auth %s as %s, password from %s", authMode, username, pwSource)
	}
	target += ")"
	if mode == "none" && authMode != "none" {
		r.log.printf("warning: sending SMTP credentials without TLS (--tls=none)")
	}
	return attempt, target, nil
}

// cmp0 returns v, or def when v is zero.
func cmp0(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// splitAddrs flattens repeated and comma-separated address flags.
func splitAddrs(flags []string) []string {
	var out []string
	for _, f := range flags {
		list, err := mail.ParseAddressList(f)
		if err != nil {
			// Let go-mail report the bad address.
			for _, a := range strings.Split(f, ",") {
				if a = strings.TrimSpace(a); a != "" {
					out = append(out, a)
				}
			}
			continue
		}
		for _, a := range list {
			out = append(out, a.String())
		}
	}
	return out
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i+1 < len(addr) {
		return addr[i+1:]
	}
	return "hookgen.invalid"
}

// classifySMTP decides whether an SMTP failure is worth retrying:
// connection problems, timeouts and 4xx replies are; 5xx replies,
// certificate problems and missing server features are not.
func classifySMTP(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch {
		case se.IsTemp():
			return err
		case se.ErrorCode() >= 500:
			return permanent(err)
		}
		return err // the connection broke mid-transaction
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		if te.Code >= 400 && te.Code < 500 {
			return err
		}
		return permanent(err)
	}
	if c := classifyTransport(err); c != err {
		return c
	}
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &ne), errors.As(err, &oe), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, net.ErrClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return err
	}
	return permanent(err)
}
