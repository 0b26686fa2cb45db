package kubeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Response is an API server answer, whatever its status code.
type Response struct {
	// StatusCode is the HTTP status (201 for an accepted dry-run create,
	// 422 for invalid objects, 403 for admission denials, ...).
	StatusCode int
	// Warnings are the texts of the Warning response headers, in order
	// (Pod Security warn mode, deprecated fields, unknown fields, ...).
	Warnings []string
	// Body is the raw response body.
	Body []byte
	// Object is Body decoded as JSON: the returned object, or a Status.
	Object map[string]any
}

// OK reports a 2xx status.
func (r *Response) OK() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }

// Status returns the body as a metav1.Status, or nil if it is not a Status.
func (r *Response) Status() *metav1.Status {
	if r.Object["kind"] != "Status" {
		return nil
	}
	var st metav1.Status
	if err := json.Unmarshal(r.Body, &st); err != nil {
		return nil
	}
	return &st
}

// Message returns the Status message of a failed request ("" otherwise).
func (r *Response) Message() string {
	if st := r.Status(); st != nil {
		return st.Message
	}
	return ""
}

// String summarises the response for test messages.
func (r *Response) String() string {
	s := fmt.Sprintf("HTTP %d", r.StatusCode)
	if m := r.Message(); m != "" {
		s += ": " + m
	}
	for _, w := range r.Warnings {
		s += "\n  Warning: " + w
	}
	return s
}

// Do sends an authenticated request to path (with query) and returns the
// response whatever its status; err is only for transport problems.
func (s *Server) Do(ctx context.Context, method, path string, body []byte, contentType string) (*Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	r := &Response{StatusCode: resp.StatusCode, Body: b}
	if ws, errs := utilnet.ParseWarningHeaders(resp.Header.Values("Warning")); len(errs) == 0 {
		for _, w := range ws {
			r.Warnings = append(r.Warnings, w.Text)
		}
	} else {
		r.Warnings = resp.Header.Values("Warning")
	}
	if len(b) > 0 && json.Valid(b) {
		_ = json.Unmarshal(b, &r.Object)
	}
	return r, nil
}

// Get is Do with GET and no body.
func (s *Server) Get(ctx context.Context, path string) (*Response, error) {
	return s.Do(ctx, http.MethodGet, path, nil, "")
}

// CreateNamespace creates a namespace with the given labels (really, not as a
// dry run). An existing namespace is an error.
func (s *Server) CreateNamespace(ctx context.Context, name string, labels map[string]string) error {
	ns := map[string]any{
		"apiVersion": "v1",
		"kind":       "Namespace",
		"metadata":   map[string]any{"name": name, "labels": labels},
	}
	b, _ := json.Marshal(ns)
	r, err := s.Do(ctx, http.MethodPost, "/api/v1/namespaces", b, "application/json")
	if err != nil {
		return err
	}
	if !r.OK() {
		return fmt.Errorf("kubeapi: create namespace %s: %s", name, r)
	}
	return nil
}

// EnsureNamespace creates a namespace, or leaves it as it is if it exists
// (server-side apply of a Namespace with only a name).
func (s *Server) EnsureNamespace(ctx context.Context, name string) error {
	_, err := s.Apply(ctx, "", fmt.Appendf(nil, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", name))
	return err
}

// DeleteNamespace deletes a namespace. Without a controller manager it stays
// Terminating, which is harmless for dry-run tests.
func (s *Server) DeleteNamespace(ctx context.Context, name string) error {
	return s.Delete(ctx, "v1", "Namespace", "", name)
}

// Delete deletes a named object of the given apiVersion and kind (namespace
// is ignored for cluster-scoped kinds). An object that does not exist (404)
// counts as deleted. Deletion is asynchronous: objects with finalizers stay
// until those are done.
func (s *Server) Delete(ctx context.Context, apiVersion, kind, namespace, name string) error {
	p, err := s.ObjectPath(ctx, apiVersion, kind, namespace, name)
	if err != nil {
		return err
	}
	r, err := s.Do(ctx, http.MethodDelete, p, nil, "")
	if err != nil {
		return err
	}
	if !r.OK() && r.StatusCode != http.StatusNotFound {
		return fmt.Errorf("kubeapi: delete %s %s: %s", strings.ToLower(kind), name, r)
	}
	return nil
}

// DryRunOptions tunes DryRunCreate and DryRunApply.
type DryRunOptions struct {
	// FieldValidation is Strict (the default here, as kubectl and Argo CD
	// use), Warn or Ignore. Strict rejects unknown and duplicate fields.
	FieldValidation string
	// FieldManager defaults to "hookgen-test".
	FieldManager string
}

func (o DryRunOptions) query(extra url.Values) string {
	q := url.Values{}
	q.Set("dryRun", "All")
	fv := o.FieldValidation
	if fv == "" {
		fv = "Strict"
	}
	q.Set("fieldValidation", fv)
	fm := o.FieldManager
	if fm == "" {
		fm = "hookgen-test"
	}
	q.Set("fieldManager", fm)
	for k, vs := range extra {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	return q.Encode()
}

// DryRunCreate sends one object (YAML or JSON) as a server-side dry-run
// create (POST ...?dryRun=All) into namespace (used when the object has no
// metadata.namespace; "" means "default" for namespaced kinds). It returns
// the API server's answer: the defaulted object on success, a Status
// otherwise, plus Warning headers. err is only for problems before or
// outside the API call (bad YAML, unknown kind, transport).
func (s *Server) DryRunCreate(ctx context.Context, namespace string, manifest []byte, opts ...DryRunOptions) (*Response, error) {
	obj, body, err := decodeObject(manifest)
	if err != nil {
		return nil, err
	}
	p, err := s.collectionPath(ctx, obj, namespace)
	if err != nil {
		return nil, err
	}
	return s.Do(ctx, http.MethodPost, p+"?"+firstOpts(opts).query(nil), body, "application/json")
}

// DryRunApply sends one object as a server-side apply dry run (PATCH with
// application/apply-patch+yaml, force=true), the way Argo CD applies with the
// ServerSideApply=true sync option.
func (s *Server) DryRunApply(ctx context.Context, namespace string, manifest []byte, opts ...DryRunOptions) (*Response, error) {
	return s.apply(ctx, namespace, manifest, firstOpts(opts).query(url.Values{"force": {"true"}}))
}

// Apply really applies one object with server-side apply (field manager
// "hookgen-test", force=true, strict field validation). A non-2xx answer is
// returned as an error.
func (s *Server) Apply(ctx context.Context, namespace string, manifest []byte) (*Response, error) {
	q := url.Values{"fieldManager": {"hookgen-test"}, "force": {"true"}, "fieldValidation": {"Strict"}}
	r, err := s.apply(ctx, namespace, manifest, q.Encode())
	if err == nil && !r.OK() {
		err = fmt.Errorf("kubeapi: apply: %s", r)
	}
	return r, err
}

// ApplyAll applies every object of a YAML or JSON stream in order.
func (s *Server) ApplyAll(ctx context.Context, namespace string, stream []byte) error {
	docs, err := SplitDocuments(stream)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if _, err := s.Apply(ctx, namespace, d); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) apply(ctx context.Context, namespace string, manifest []byte, query string) (*Response, error) {
	obj, body, err := decodeObject(manifest)
	if err != nil {
		return nil, err
	}
	p, err := s.collectionPath(ctx, obj, namespace)
	if err != nil {
		return nil, err
	}
	name, _ := nested(obj, "metadata", "name").(string)
	if name == "" {
		return nil, errors.New("kubeapi: server-side apply needs metadata.name")
	}
	return s.Do(ctx, http.MethodPatch, p+"/"+url.PathEscape(name)+"?"+query, body, "application/apply-patch+yaml")
}

// ObjectPath returns the URL path of a named object of the given apiVersion
// and kind (namespace is ignored for cluster-scoped kinds).
func (s *Server) ObjectPath(ctx context.Context, apiVersion, kind, namespace, name string) (string, error) {
	obj := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"namespace": namespace}}
	p, err := s.collectionPath(ctx, obj, namespace)
	if err != nil {
		return "", err
	}
	return p + "/" + url.PathEscape(name), nil
}

// GetObject fetches a named object; found is false on 404.
func (s *Server) GetObject(ctx context.Context, apiVersion, kind, namespace, name string) (obj map[string]any, found bool, err error) {
	p, err := s.ObjectPath(ctx, apiVersion, kind, namespace, name)
	if err != nil {
		return nil, false, err
	}
	r, err := s.Get(ctx, p)
	if err != nil {
		return nil, false, err
	}
	if r.StatusCode == http.StatusNotFound {
		return nil, false, nil
	}
	if !r.OK() {
		return nil, false, fmt.Errorf("kubeapi: get %s: %s", p, r)
	}
	return r.Object, true, nil
}

// MergePatch sends a JSON merge patch to a named object.
func (s *Server) MergePatch(ctx context.Context, apiVersion, kind, namespace, name string, patch any) (*Response, error) {
	p, err := s.ObjectPath(ctx, apiVersion, kind, namespace, name)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(patch)
	if err != nil {
		return nil, err
	}
	r, err := s.Do(ctx, http.MethodPatch, p, b, "application/merge-patch+json")
	if err == nil && !r.OK() {
		err = fmt.Errorf("kubeapi: merge patch %s: %s", p, r)
	}
	return r, err
}

// Nested returns obj[fields[0]][fields[1]]... or nil.
func Nested(obj map[string]any, fields ...string) any { return nested(obj, fields...) }

// DryRunCreateAll splits a YAML or JSON stream into objects and dry-run
// creates each in order. Empty documents are skipped.
func (s *Server) DryRunCreateAll(ctx context.Context, namespace string, stream []byte, opts ...DryRunOptions) ([]*Response, error) {
	docs, err := SplitDocuments(stream)
	if err != nil {
		return nil, err
	}
	var out []*Response
	for _, d := range docs {
		r, err := s.DryRunCreate(ctx, namespace, d, opts...)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// SplitDocuments splits a multi-document YAML stream (or concatenated JSON)
// into one JSON document per object, skipping empty and null documents, like
// Argo CD's kube.SplitYAML.
func SplitDocuments(stream []byte) ([][]byte, error) {
	dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(stream), 4096)
	var out [][]byte
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, fmt.Errorf("kubeapi: splitting documents: %w", err)
		}
		t := bytes.TrimSpace(raw)
		if len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue
		}
		out = append(out, t)
	}
}

func firstOpts(opts []DryRunOptions) DryRunOptions {
	if len(opts) > 0 {
		return opts[0]
	}
	return DryRunOptions{}
}

func decodeObject(manifest []byte) (map[string]any, []byte, error) {
	body, err := yaml.YAMLToJSON(manifest)
	if err != nil {
		return nil, nil, fmt.Errorf("kubeapi: manifest is not YAML/JSON: %w", err)
	}
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, nil, fmt.Errorf("kubeapi: manifest is not a single object: %v", err)
	}
	return obj, body, nil
}

func nested(obj map[string]any, fields ...string) any {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[f]
	}
	return cur
}

type resourceInfo struct {
	name       string
	namespaced bool
}

// collectionPath returns the URL path of the object's collection.
func (s *Server) collectionPath(ctx context.Context, obj map[string]any, namespace string) (string, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return "", errors.New("kubeapi: object needs apiVersion and kind")
	}
	ri, err := s.resourceFor(ctx, apiVersion, kind)
	if err != nil {
		return "", err
	}
	base := "/apis/" + apiVersion
	if !strings.Contains(apiVersion, "/") {
		base = "/api/" + apiVersion
	}
	if !ri.namespaced {
		return base + "/" + ri.name, nil
	}
	if ns, _ := nested(obj, "metadata", "namespace").(string); ns != "" {
		namespace = ns
	}
	if namespace == "" {
		namespace = "default"
	}
	return base + "/namespaces/" + url.PathEscape(namespace) + "/" + ri.name, nil
}

// resourceFor maps apiVersion+kind to a resource with API discovery; results
// are cached, misses re-query (for CRDs created later).
func (s *Server) resourceFor(ctx context.Context, apiVersion, kind string) (resourceInfo, error) {
	key := apiVersion + "/" + kind
	s.mu.Lock()
	ri, ok := s.resources[key]
	s.mu.Unlock()
	if ok {
		return ri, nil
	}
	p := "/apis/" + apiVersion
	if !strings.Contains(apiVersion, "/") {
		p = "/api/" + apiVersion
	}
	r, err := s.Get(ctx, p)
	if err != nil {
		return ri, err
	}
	if !r.OK() {
		return ri, fmt.Errorf("kubeapi: discovery of %s: %s", apiVersion, r)
	}
	var list metav1.APIResourceList
	if err := json.Unmarshal(r.Body, &list); err != nil {
		return ri, fmt.Errorf("kubeapi: discovery of %s: %w", apiVersion, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, res := range list.APIResources {
		if strings.Contains(res.Name, "/") {
			continue // subresource
		}
		s.resources[apiVersion+"/"+res.Kind] = resourceInfo{name: res.Name, namespaced: res.Namespaced}
	}
	ri, ok = s.resources[key]
	if !ok {
		return ri, fmt.Errorf("kubeapi: the server has no kind %s in %s", kind, apiVersion)
	}
	return ri, nil
}

// CollectionPath returns the URL path of the collection of apiVersion/kind
// in namespace (ignored for cluster-scoped kinds).
func (s *Server) CollectionPath(ctx context.Context, apiVersion, kind, namespace string) (string, error) {
	obj := map[string]any{"apiVersion": apiVersion, "kind": kind}
	return s.collectionPath(ctx, obj, namespace)
}

// WatchEvent is one event of a watch stream.
type WatchEvent struct {
	Type   string // ADDED, MODIFIED, DELETED, BOOKMARK or ERROR
	Object map[string]any
}

// Watch streams watch events of a collection to fn until ctx ends or the
// server closes the stream (it returns nil then; call it again to go on).
func (s *Server) Watch(ctx context.Context, apiVersion, kind, namespace string, fn func(WatchEvent)) error {
	p, err := s.CollectionPath(ctx, apiVersion, kind, namespace)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+p+"?watch=1", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Accept", "application/json")
	c := *s.http
	c.Timeout = 0 // a watch stays open
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("kubeapi: watch %s: HTTP %d: %s", p, resp.StatusCode, b)
	}
	dec := json.NewDecoder(resp.Body)
	for {
		var ev WatchEvent
		if err := dec.Decode(&ev); err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		fn(ev)
	}
}
