package node

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSinkTLS: the HTTPS sink's certificate names the Service and is
// trusted with Sink.CA only; what arrives over either port is recorded.
func TestSinkTLS(t *testing.T) {
	s, err := startSinkPorts("127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CA()) {
		t.Fatal("Sink.CA holds no PEM certificate")
	}
	get := func(roots *x509.CertPool, name, url string) (string, error) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: name}}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(url)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.Status + " " + string(b), err
	}
	for _, name := range []string{"sink.hookgen-test.svc", "sink.hookgen-test.svc.cluster.local", "127.0.0.1"} {
		got, err := get(pool, name, "https://"+s.tlsAddr+"/app/"+name)
		if err != nil || got != "200 OK ok" {
			t.Errorf("HTTPS as %s with the CA: %q, %v; want 200 OK ok", name, got, err)
		}
	}
	if _, err := get(nil, "sink.hookgen-test.svc", "https://"+s.tlsAddr+"/untrusted"); err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Errorf("HTTPS without the CA: %v, want an unknown authority", err)
	}
	if _, err := get(pool, "other.example", "https://"+s.tlsAddr+"/other"); err == nil || !strings.Contains(err.Error(), "certificate is valid for") {
		t.Errorf("HTTPS as another name: %v, want a name mismatch", err)
	}
	if got, err := get(nil, "", "http://"+s.addr+"/plain"); err != nil || got != "200 OK ok" {
		t.Errorf("HTTP: %q, %v", got, err)
	}
	var paths []string
	for _, r := range s.Requests() {
		paths = append(paths, r.Path)
	}
	if got, want := strings.Join(paths, " "), "/app/sink.hookgen-test.svc /app/sink.hookgen-test.svc.cluster.local /app/127.0.0.1 /plain"; got != want {
		t.Errorf("recorded %s, want %s", got, want)
	}
}

// TestBuildInput: the image's key covers what the build reads, not the
// tests, documentation or the test module.
func TestBuildInput(t *testing.T) {
	for f, want := range map[string]bool{
		"main.go": true, "go.sum": true, "plugin.yaml": true, "transform/templates/webhook.yaml": true,
		"tools/imagebuild/build.sh": true, "Dockerfile": true,
		"main_test.go": false, "README.md": false, "test/realnode/scenarios_test.go": false, "docs/image.md": false,
		"testdata/cli/x": false, "transform/testdata/a.yaml": false, "examples/shop/hookgen.yaml": false,
	} {
		if got := buildInput(f); got != want {
			t.Errorf("buildInput(%q) = %v, want %v", f, got, want)
		}
	}
}
