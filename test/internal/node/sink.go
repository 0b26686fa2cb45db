package node

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

// The recording HTTP sink the pods reach at SinkURL (any path): a Service
// without selector whose EndpointSlice points at this process on the node
// IP, so kube-proxy's nftables rules and the node's DNS are on the way.
const (
	SinkNamespace = "hookgen-test"
	SinkService   = "sink"
	SinkPort      = 8080
	SinkURL       = "http://sink.hookgen-test.svc:8080"
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
	srv *http.Server

	mu   sync.Mutex
	reqs []Request
}

func startSink(addr string) (*Sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Sink{}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
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
	err := s.srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
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
  ports: [{name: http, port: 8080, targetPort: 8080, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ` + SinkService + `-node
  namespace: ` + SinkNamespace + `
  labels: {kubernetes.io/service-name: ` + SinkService + `, endpointslice.kubernetes.io/managed-by: hookgen-test}
addressType: IPv4
endpoints: [{addresses: ["` + NodeIP + `"], conditions: {ready: true}}]
ports: [{name: http, port: 8080, protocol: TCP}]
`

func applySinkObjects(ctx context.Context, api *kubeapi.Server) error {
	return api.ApplyAll(ctx, "", []byte(sinkObjects))
}
