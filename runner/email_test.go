package runner

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The email tests talk to a real SMTP server: Debian's aiosmtpd, run with
// Debian's /usr/bin/python3 (another python3 on PATH may not see Debian's
// packages). Simple cases use aiosmtpd's own command line; logins and
// temporary failures use testdata/smtpd.py, a small script on top of it.
const debianPython = "/usr/bin/python3"

func requireAiosmtpd(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianPython, "-c", "import aiosmtpd").CombinedOutput()
	if err != nil {
		t.Fatalf("the email tests need a real SMTP server, Debian's aiosmtpd, and %s cannot import it (%v: %s).\n"+
			"Install it with: apt-get install -y python3-aiosmtpd", debianPython, err, strings.TrimSpace(string(out)))
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// smtpServer is a running aiosmtpd.
type smtpServer struct {
	port    int
	maildir string
	cli     bool // aiosmtpd's command line (a Maildir) rather than smtpd.py (JSON files)
}

// startAiosmtpdCLI starts "python3 -m aiosmtpd" with the Mailbox handler;
// extra adds flags such as --tlscert/--tlskey.
func startAiosmtpdCLI(t *testing.T, port int, extra ...string) *smtpServer {
	t.Helper()
	s := &smtpServer{port: port, maildir: filepath.Join(t.TempDir(), "Maildir"), cli: true}
	args := append([]string{"-m", "aiosmtpd", "-n", "-l", fmt.Sprintf("127.0.0.1:%d", port)}, extra...)
	args = append(args, "-c", "aiosmtpd.handlers.Mailbox", s.maildir)
	startProcess(t, exec.Command(debianPython, args...), port, false)
	return s
}

// startSMTPD starts testdata/smtpd.py with the given flags.
func startSMTPD(t *testing.T, port int, extra ...string) *smtpServer {
	t.Helper()
	s := &smtpServer{port: port, maildir: t.TempDir()}
	script, err := filepath.Abs(filepath.Join("testdata", "smtpd.py"))
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{script, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--maildir", s.maildir}, extra...)
	startProcess(t, exec.Command(debianPython, args...), port, true)
	return s
}

// startProcess starts an SMTP server process, waits until it listens and
// stops it (by its PID) when the test ends.
func startProcess(t *testing.T, cmd *exec.Cmd, port int, waitReady bool) {
	t.Helper()
	requireAiosmtpd(t)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("SMTP server stderr:\n%s", stderr.String())
		}
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "ready" {
				close(ready)
			}
		}
	}()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if waitReady {
			select {
			case <-ready:
				return
			case <-time.After(20 * time.Millisecond):
			}
			continue
		}
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("SMTP server %v did not start: %s", cmd.Args, stderr.String())
}

// received is one message the server accepted.
type received struct {
	MailFrom string   `json:"mail_from"`
	RcptTos  []string `json:"rcpt_tos"`
	TLS      bool     `json:"tls"`
	Login    *string  `json:"login"`
	Data     string   `json:"data"`
	msg      *mail.Message
	body     string
}

// messages returns what the server accepted, oldest first.
func (s *smtpServer) messages(t *testing.T) []received {
	t.Helper()
	var out []received
	if s.cli {
		files, _ := filepath.Glob(filepath.Join(s.maildir, "new", "*"))
		slices.Sort(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r := received{Data: string(b)}
			r.parse(t)
			r.MailFrom = r.msg.Header.Get("X-MailFrom")
			r.RcptTos = strings.Split(r.msg.Header.Get("X-RcptTo"), ", ")
			out = append(out, r)
		}
		return out
	}
	files, _ := filepath.Glob(filepath.Join(s.maildir, "*.json"))
	slices.Sort(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r received
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		r.parse(t)
		out = append(out, r)
	}
	return out
}

func (r *received) parse(t *testing.T) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(r.Data))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, r.Data)
	}
	r.msg = msg
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	r.body = strings.ReplaceAll(string(b), "\r\n", "\n")
}

func (r *received) header(t *testing.T, name string) string {
	t.Helper()
	v, err := (&mime.WordDecoder{}).DecodeHeader(r.msg.Header.Get(name))
	if err != nil {
		t.Fatalf("header %s: %v", name, err)
	}
	return v
}

// selfSignedCert writes a certificate for 127.0.0.1 and localhost (its own
// CA) and its key, and returns their paths.
func selfSignedCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "hookgen test relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = writeFile(t, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeFile(t, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	return certFile, keyFile
}

const smtpPassword = "pa55-w0rd-SECRET-xyz"

func emailEnv(port int, extra ...string) []string {
	return testEnv(append([]string{
		"SMTP_HOST=127.0.0.1",
		"SMTP_PORT=" + strconv.Itoa(port),
		"SMTP_FROM=Argo CD <argocd@example.com>",
	}, extra...)...)
}

var fastEmail = []string{"--backoff=100ms", "--max-backoff=300ms", "--timeout=5s", "--deadline=20s"}

func TestEmailPlainRelay(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	srv := startAiosmtpdCLI(t, port)
	res := runMain(t, emailEnv(port, "HOOKGEN_ARGOCD_URL=https://cd.example.com"), args([]string{"email", "--tls=none",
		"--to", "ops@example.com, Dev Team <dev@example.com>", "--to", "lead@example.com", "--cc", "audit@example.com",
		"--subject", "[{{ .App.Project }}] {{ .App.Name }} → {{ .Hook.Outcome }} $(app.name)"}, fastEmail)...)
	res.wantCode(t, ExitOK)
	msgs := srv.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.MailFrom != "argocd@example.com" {
		t.Errorf("MAIL FROM %q", m.MailFrom)
	}
	if got, want := strings.Join(m.RcptTos, ","), "ops@example.com,dev@example.com,lead@example.com,audit@example.com"; got != want {
		t.Errorf("RCPT TO %s, want %s", got, want)
	}
	for name, want := range map[string]string{
		"From":           `"Argo CD" <argocd@example.com>`,
		"To":             `<ops@example.com>, "Dev Team" <dev@example.com>, <lead@example.com>`,
		"Cc":             "<audit@example.com>",
		"Subject":        "[default] my-app → succeeded $(app.name)",
		"MIME-Version":   "1.0",
		"Auto-Submitted": "auto-generated",
	} {
		if got := m.header(t, name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if ct := m.header(t, "Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
		t.Errorf("Content-Type %q", ct)
	}
	date, err := m.msg.Header.Date()
	if err != nil || time.Since(date) > time.Minute || time.Since(date) < -time.Minute {
		t.Errorf("Date %q (%v)", m.msg.Header.Get("Date"), err)
	}
	if id := m.msg.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID %q", id)
	}
	for _, want := range []string{
		"[default] my-app → succeeded $(app.name)\n",
		"Application: my-app\n",
		"Revision:    abc1234def5678abc1234def5678abc1234def56\n",
		"Hook:        notify (PostSync)\n",
		"Outcome:     succeeded\n",
		"Argo CD:     https://cd.example.com/applications/my-app\n",
	} {
		if !strings.Contains(m.body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.body)
		}
	}
	if !strings.Contains(res.stderr, "attempt 1/5: sent <") {
		t.Errorf("log does not report the sent message")
	}
}

func TestEmailSTARTTLSWithLogin(t *testing.T) {
	t.Parallel()
	cert, key := selfSignedCert(t)
	for _, auth := range []string{"plain", "login"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			srv := startSMTPD(t, port, "--starttls", cert, key, "--auth", "relay-user:"+smtpPassword)
			env := emailEnv(port, "SMTP_USERNAME=relay-user")
			// The password typed into a template is redacted from the message.
			flags := []string{"email", "--ca-file", cert, "--to", "ops@example.com", "--auth", auth,
				"--subject", "pw " + smtpPassword, "--body", "Hi {{ .App.Name }} " + smtpPassword}
			if auth == "plain" {
				env = append(env, "SMTP_PASSWORD="+smtpPassword)
			} else {
				flags = append(flags, "--password-file", writeFile(t, "pw", smtpPassword+"\n"))
			}
			res := runMain(t, env, args(flags, fastEmail)...)
			res.wantCode(t, ExitOK)
			res.noLeak(t, smtpPassword)
			msgs := srv.messages(t)
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			if !msgs[0].TLS || msgs[0].Login == nil || *msgs[0].Login != "relay-user" {
				t.Errorf("tls=%t login=%v", msgs[0].TLS, msgs[0].Login)
			}
			if strings.TrimSpace(msgs[0].body) != "Hi my-app [redacted]" || msgs[0].header(t, "Subject") != "pw [redacted]" {
				t.Errorf("subject %q, body %q", msgs[0].header(t, "Subject"), msgs[0].body)
			}
			if strings.Contains(msgs[0].Data, smtpPassword) {
				t.Errorf("the message carries the password")
			}
		})
	}
}

func TestEmailSTARTTLSCommandLine(t *testing.T) {
	t.Parallel()
	cert, key := selfSignedCert(t)
	port := freePort(t)
	srv := startAiosmtpdCLI(t, port, "--tlscert", cert, "--tlskey", key) // requires STARTTLS
	res := runMain(t, emailEnv(port), args([]string{"email", "--ca-file", cert, "--to", "ops@example.com"}, fastEmail)...)
	res.wantCode(t, ExitOK)
	if n := len(srv.messages(t)); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

func TestEmailImplicitTLS(t *testing.T) {
	t.Parallel()
	cert, key := selfSignedCert(t)
	port := freePort(t)
	srv := startSMTPD(t, port, "--smtps", cert, key, "--auth", "u:"+smtpPassword)
	res := runMain(t, emailEnv(port, "SMTP_PASSWORD="+smtpPassword), args([]string{"email", "--tls=tls",
		"--username=u", "--ca-file", cert, "--cc", "ops@example.com"}, fastEmail)...)
	res.wantCode(t, ExitOK)
	res.noLeak(t, smtpPassword)
	msgs := srv.messages(t)
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].Login == nil {
		t.Fatalf("messages %+v", msgs)
	}
	if msgs[0].msg.Header.Get("To") != "" || msgs[0].header(t, "Cc") != "<ops@example.com>" {
		t.Errorf("To %q Cc %q", msgs[0].msg.Header.Get("To"), msgs[0].msg.Header.Get("Cc"))
	}
}

func TestEmailRetries(t *testing.T) {
	t.Parallel()
	t.Run("temporary failures", func(t *testing.T) {
		t.Parallel()
		port := freePort(t)
		srv := startSMTPD(t, port, "--tempfail", "2")
		res := runMain(t, emailEnv(port), args([]string{"email", "--tls=none", "--to", "ops@example.com"}, fastEmail)...)
		res.wantCode(t, ExitOK)
		if n := len(srv.messages(t)); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
		if lines := res.attemptLines(); len(lines) != 3 || !strings.Contains(lines[0], "451") {
			t.Errorf("attempt lines %q", lines)
		}
	})
	t.Run("server down at first", func(t *testing.T) {
		t.Parallel()
		requireAiosmtpd(t)
		port := freePort(t)
		done := make(chan result)
		go func() {
			done <- runMain(t, emailEnv(port), "email", "--tls=none", "--to", "ops@example.com", "--strict",
				"--attempts=100", "--backoff=200ms", "--max-backoff=500ms", "--deadline=60s")
		}()
		time.Sleep(1500 * time.Millisecond)
		srv := startAiosmtpdCLI(t, port)
		res := <-done
		res.wantCode(t, ExitOK)
		if n := len(srv.messages(t)); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
		if lines := res.attemptLines(); len(lines) < 2 || !strings.Contains(lines[0], "connection refused") {
			t.Errorf("attempt lines %q", lines)
		}
	})
	t.Run("server down, best effort and strict", func(t *testing.T) {
		t.Parallel()
		port := freePort(t) // nothing listens
		env := emailEnv(port, "SMTP_USERNAME=u", "SMTP_PASSWORD="+smtpPassword)
		res := runMain(t, env, args([]string{"email", "--tls=none", "--to", "ops@example.com", "--attempts=2"}, fastEmail)...)
		res.wantCode(t, ExitOK)
		res.noLeak(t, smtpPassword)
		if len(res.attemptLines()) != 2 || !strings.Contains(res.stderr, "best effort") {
			t.Errorf("best effort run:\n%s", res.stderr)
		}
		res = runMain(t, env, args([]string{"email", "--tls=none", "--to", "ops@example.com", "--attempts=2", "--strict"}, fastEmail)...)
		res.wantCode(t, ExitFailed)
		res.noLeak(t, smtpPassword)
	})
}

func TestEmailPermanentFailures(t *testing.T) {
	t.Parallel()
	cert, key := selfSignedCert(t)
	tests := []struct {
		name    string
		server  func(t *testing.T, port int)
		flags   []string
		env     []string
		wantLog string
	}{
		{
			name: "wrong password",
			server: func(t *testing.T, port int) {
				startSMTPD(t, port, "--starttls", cert, key, "--auth", "u:right-password")
			},
			flags:   []string{"--ca-file", cert, "--username=u"},
			env:     []string{"SMTP_PASSWORD=" + smtpPassword},
			wantLog: "535",
		},
		{
			name:    "STARTTLS required but not offered",
			server:  func(t *testing.T, port int) { startAiosmtpdCLI(t, port) },
			wantLog: "does not support STARTTLS",
		},
		{
			name:    "untrusted certificate",
			server:  func(t *testing.T, port int) { startAiosmtpdCLI(t, port, "--tlscert", cert, "--tlskey", key) },
			wantLog: "certificate",
		},
		{
			name:    "login required",
			server:  func(t *testing.T, port int) { startSMTPD(t, port, "--starttls", cert, key, "--auth", "u:p") },
			flags:   []string{"--ca-file", cert},
			wantLog: "530",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			tt.server(t, port)
			env := emailEnv(port, tt.env...)
			res := runMain(t, env, args([]string{"email", "--to", "ops@example.com", "--strict"}, tt.flags, fastEmail)...)
			res.wantCode(t, ExitFailed)
			res.noLeak(t, smtpPassword)
			if n := len(res.attemptLines()); n != 1 || !strings.Contains(res.stderr, "not retryable") {
				t.Errorf("%d attempts; want 1, not retried", n)
			}
			if !strings.Contains(res.stderr, tt.wantLog) {
				t.Errorf("log lacks %q", tt.wantLog)
			}
		})
	}
}

func TestEmailUsageErrors(t *testing.T) {
	t.Parallel()
	base := emailEnv(2525)
	for _, tt := range []struct {
		name    string
		env     []string
		flags   []string
		wantLog string
	}{
		{"no host", testEnv("SMTP_FROM=a@example.com"), []string{"--to=b@example.com"}, "no SMTP host"},
		{"no sender", testEnv("SMTP_HOST=h"), []string{"--to=b@example.com"}, "no sender"},
		{"no recipient", base, nil, "no recipient"},
		{"bad recipient", base, []string{"--to=not an address"}, "--to"},
		{"bad sender", base, []string{"--from=@@", "--to=b@example.com"}, "--from"},
		{"password without user", append(slices.Clone(base), "SMTP_PASSWORD="+smtpPassword), []string{"--to=b@example.com"}, "no username"},
		{"user without password", base, []string{"--to=b@example.com", "--username=u"}, "needs a username"},
		{"bad tls", base, []string{"--to=b@example.com", "--tls=ssl"}, "want starttls, tls or none"},
		{"bad auth", base, []string{"--to=b@example.com", "--auth=cram-md5"}, "want plain, login or none"},
		{"bad port", append(slices.Clone(base), "SMTP_PORT=smtp"), []string{"--to=b@example.com"}, "not a port number"},
		{"bad ca file", base, []string{"--to=b@example.com", "--ca-file=/nonexistent"}, "cannot read /nonexistent"},
		{"empty password file", base, []string{"--to=b@example.com", "--username=u", "--password-file=" + writeFile(t, "pw", "\n")}, "is empty"},
		{"subject template", base, []string{"--to=b@example.com", "--subject={{ .Nope }}"}, "--subject"},
		{"body template", base, []string{"--to=b@example.com", "--body={{ range 3 }}{{ end }}"}, "range is not allowed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := runMain(t, tt.env, append([]string{"email"}, tt.flags...)...)
			res.wantCode(t, ExitUsage)
			res.noLeak(t, smtpPassword)
			if !strings.Contains(res.stderr, tt.wantLog) {
				t.Errorf("log lacks %q", tt.wantLog)
			}
		})
	}
}
