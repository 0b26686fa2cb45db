package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

// The recording HTTP sink the pods reach at SinkURL (any path): a Service
// without selector whose EndpointSlice points at this process on the node
// IP, so kube-proxy's nftables rules and the node's DNS are on the way.
// The same sink answers HTTPS at SinkTLSURL, with a certificate for the
// Service's names signed by a CA made for the node (Sink.CA): what a
// private CA's server looks like to a hook.
const (
	SinkNamespace = "hookgen-test"
	SinkService   = "sink"
	SinkPort      = 8080
	SinkURL       = "http://sink.hookgen-test.svc:8080"
	SinkTLSPort   = 8443
	SinkTLSURL    = "https://sink.hookgen-test.svc:8443"
)

// Request is one request the sink received.
type Request struct {
	Time    time.Time           `json:"time"`
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

// Header returns the first value of a header.
func (r Request) Header(name string) string {
	if v := http.Header(r.Headers).Values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// Sink records every request and answers 200 "ok".
type Sink struct {
	srv, tlsSrv   *http.Server
	addr, tlsAddr string
	ca            []byte // PEM

	mu   sync.Mutex
	reqs []Request
}

// startSink listens for HTTP on host:SinkPort and HTTPS on
// host:SinkTLSPort.
func startSink(host string) (*Sink, error) {
	return startSinkPorts(host, SinkPort, SinkTLSPort)
}

// startSinkPorts is startSink on the given ports (0 for any).
func startSinkPorts(host string, port, tlsPort int) (*Sink, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	caPEM, cert, err := sinkCertificate(host)
	if err != nil {
		ln.Close()
		return nil, err
	}
	tln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(tlsPort)))
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Sink{ca: caPEM, addr: ln.Addr().String(), tlsAddr: tln.Addr().String()}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.tlsSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ErrorLog:  log.New(io.Discard, "", 0)} // refused handshakes are what some tests want
	go func() { _ = s.srv.Serve(ln) }()
	go func() { _ = s.tlsSrv.ServeTLS(tln, "", "") }()
	return s, nil
}

// CA is the PEM certificate of the CA that signed the HTTPS sink's
// certificate; no system trusts it.
func (s *Sink) CA() []byte { return slices.Clone(s.ca) }

// sinkCertificate makes a CA and, signed by it, a certificate for the
// sink Service's DNS names and the node IP.
func sinkCertificate(ip string) (caPEM []byte, cert tls.Certificate, err error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, cert, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hookgen-test private CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, cert, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, cert, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, cert, err
	}
	svc := SinkService + "." + SinkNamespace + ".svc"
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: svc},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{svc, svc + ".cluster.local"},
		IPAddresses: []net.IP{net.ParseIP(ip)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, cert, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// ServeHTTP records the request.
func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	h := map[string][]string{}
	for k, v := range r.Header {
		h[k] = slices.Clone(v)
	}
	if r.Host != "" {
		h["Host"] = []string{r.Host}
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, Request{Time: time.Now().UTC(), Method: r.Method, Path: r.URL.RequestURI(), Headers: h, Body: string(body)})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "ok")
}

// Requests returns the requests so far, oldest first.
func (s *Sink) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.reqs)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// Since returns the requests received at or after t.
func (s *Sink) Since(t time.Time) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if !r.Time.Before(t) {
			out = append(out, r)
		}
	}
	return out
}

// WithPath returns the requests whose path starts with prefix.
func (s *Sink) WithPath(prefix string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// Close stops the sink.
func (s *Sink) Close() error {
	var errs []error
	for _, srv := range []*http.Server{s.srv, s.tlsSrv} {
		if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sinkObjects is the sink's namespace, Service (no selector) and the
// EndpointSlice that points it at the node IP.
const sinkObjects = `apiVersion: v1
kind: Namespace
metadata: {name: ` + SinkNamespace + `}
---
apiVersion: v1
kind: Service
metadata: {name: ` + SinkService + `, namespace: ` + SinkNamespace + `}
spec:
  ports:
    - {name: http, port: 8080, targetPort: 8080, protocol: TCP}
    - {name: https, port: 8443, targetPort: 8443, protocol: TCP}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ` + SinkService + `-node
  namespace: ` + SinkNamespace + `
  labels: {kubernetes.io/service-name: ` + SinkService + `, endpointslice.kubernetes.io/managed-by: hookgen-test}
addressType: IPv4
endpoints: [{addresses: ["` + NodeIP + `"], conditions: {ready: true}}]
ports: [{name: http, port: 8080, protocol: TCP}, {name: https, port: 8443, protocol: TCP}]
`

func applySinkObjects(ctx context.Context, api *kubeapi.Server) error {
	return api.ApplyAll(ctx, "", []byte(sinkObjects))
}
