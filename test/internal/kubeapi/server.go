package kubeapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/hookgen/hookgen/test/internal/proc"
	"github.com/hookgen/hookgen/test/internal/tools"
)

// Version is the Kubernetes version of the API server build.sh builds.
const Version = "v1.37.2"

// Options configures a server. The zero value is fine.
type Options struct {
	// APIServerPath and EtcdPath override the binaries from HOOKGEN_TOOLS_BIN.
	APIServerPath string
	EtcdPath      string
	// ReadyTimeout bounds the wait for etcd health and /readyz (default 60s).
	ReadyTimeout time.Duration
	// ExtraArgs are added to kube-apiserver's flags (a real node needs
	// --kubelet-preferred-address-types=InternalIP).
	ExtraArgs []string
}

// Server is a running etcd + kube-apiserver pair.
type Server struct {
	// URL is the API server's base URL, https://127.0.0.1:<port>.
	URL string
	// Token is a bearer token of a system:masters user.
	Token string
	// Dir holds certs/, logs/, etcd/ and kubeconfig.
	Dir string
	// CertDir holds the serving certificate (apiserver.crt, apiserver.key),
	// the service-account key pair (sa.key, sa.pub) and tokens.csv.
	CertDir string
	// EtcdURL is etcd's client URL.
	EtcdURL string

	APIServer *proc.Process
	Etcd      *proc.Process

	kubeconfig string
	http       *http.Client
	caPEM      []byte

	mu        sync.Mutex
	resources map[string]resourceInfo // "group/version/Kind" -> resource

	stopOnce sync.Once
	stopErr  error
}

// Start starts a server for one test and stops it (API server first) when
// the test ends. Missing binaries fail the test with the build command.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if err := fillPaths(&opts); err != nil {
		t.Fatal(err)
	}
	s, err := StartServer(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("kubeapi: stop: %v", err)
		}
	})
	proc.DumpLogsOnFailure(t, s.APIServer, s.Etcd)
	return s
}

func fillPaths(opts *Options) error {
	var need []string
	if opts.APIServerPath == "" {
		need = append(need, tools.KubeAPIServer)
	}
	if opts.EtcdPath == "" {
		need = append(need, tools.Etcd)
	}
	paths, err := tools.LookupAll(need...)
	if err != nil {
		return err
	}
	if opts.APIServerPath == "" {
		opts.APIServerPath = paths[tools.KubeAPIServer]
	}
	if opts.EtcdPath == "" {
		opts.EtcdPath = paths[tools.Etcd]
	}
	return nil
}

// StartServer starts a server without a test; the caller must call Stop.
// Binaries default to HOOKGEN_TOOLS_BIN.
func StartServer(ctx context.Context, opts Options) (s *Server, err error) {
	if err := fillPaths(&opts); err != nil {
		return nil, err
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	dir, err := proc.ShortTempDir("kapi")
	if err != nil {
		return nil, err
	}
	s = &Server{Dir: dir, CertDir: filepath.Join(dir, "certs"), resources: map[string]resourceInfo{}}
	defer func() {
		if err != nil {
			if s.APIServer != nil || s.Etcd != nil {
				err = fmt.Errorf("%w\n%s", err, proc.LogTails(16<<10, s.APIServer, s.Etcd))
			}
			_ = s.Stop()
		}
	}()
	for _, d := range []string{s.CertDir, filepath.Join(dir, "logs"), filepath.Join(dir, "etcd"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return s, err
		}
	}
	if err := writeSAKeys(s.CertDir); err != nil {
		return s, err
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return s, err
	}
	s.Token = hex.EncodeToString(tok)
	tokens := fmt.Sprintf("%s,admin,uid-admin,system:masters\n", s.Token)
	if err := os.WriteFile(filepath.Join(s.CertDir, "tokens.csv"), []byte(tokens), 0o600); err != nil {
		return s, err
	}
	ports, err := proc.FreePorts(3)
	if err != nil {
		return s, err
	}
	etcdClient, etcdPeer, apiPort := ports[0], ports[1], ports[2]
	s.EtcdURL = fmt.Sprintf("http://127.0.0.1:%d", etcdClient)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)
	s.URL = fmt.Sprintf("https://127.0.0.1:%d", apiPort)

	env := proc.BaseEnv("", dir, filepath.Join(dir, "tmp"))
	ctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()

	s.Etcd, err = proc.Start(proc.Spec{
		Name: "etcd",
		Path: opts.EtcdPath,
		Args: []string{
			"--name=default",
			"--data-dir=" + filepath.Join(dir, "etcd"),
			"--listen-client-urls=" + s.EtcdURL,
			"--advertise-client-urls=" + s.EtcdURL,
			"--listen-peer-urls=" + peerURL,
			"--initial-advertise-peer-urls=" + peerURL,
			"--initial-cluster=default=" + peerURL,
			"--unsafe-no-fsync", // test data only
			"--log-level=warn",
		},
		Env:     env,
		Dir:     dir,
		LogPath: filepath.Join(dir, "logs", "etcd.log"),
	})
	if err != nil {
		return s, err
	}
	plain := &http.Client{Timeout: 2 * time.Second}
	if err := s.Etcd.WaitUntil(ctx, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		return httpOK(ctx, plain, s.EtcdURL+"/health", "")
	}); err != nil {
		return s, err
	}

	args := []string{
		"--etcd-servers=" + s.EtcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(apiPort),
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + s.CertDir,
		"--token-auth-file=" + filepath.Join(s.CertDir, "tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + filepath.Join(s.CertDir, "sa.pub"),
		"--service-account-signing-key-file=" + filepath.Join(s.CertDir, "sa.key"),
		"--service-cluster-ip-range=10.96.0.0/16",
		"--disable-admission-plugins=ServiceAccount",
		// The default (false) rejects every privileged container as
		// "disallowed by cluster policy" before Pod Security admission is
		// consulted; real clusters (kubeadm, kind, managed) allow it.
		"--allow-privileged=true",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
	}
	args = append(args, opts.ExtraArgs...)
	s.APIServer, err = proc.Start(proc.Spec{
		Name:        "kube-apiserver",
		Path:        opts.APIServerPath,
		Args:        args,
		Env:         env,
		Dir:         dir,
		LogPath:     filepath.Join(dir, "logs", "kube-apiserver.log"),
		StopTimeout: 15 * time.Second,
	})
	if err != nil {
		return s, err
	}
	// The serving certificate appears in the cert dir shortly after start.
	crt := filepath.Join(s.CertDir, "apiserver.crt")
	if err := s.APIServer.WaitUntil(ctx, 50*time.Millisecond, func(context.Context) (bool, error) {
		b, err := os.ReadFile(crt)
		if err != nil || !bytes.Contains(b, []byte("END CERTIFICATE")) {
			return false, err
		}
		s.caPEM = b
		return true, nil
	}); err != nil {
		return s, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.caPEM) {
		return s, fmt.Errorf("kubeapi: no certificate in %s", crt)
	}
	s.http = &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	if err := s.APIServer.WaitUntil(ctx, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		return httpOK(ctx, s.http, s.URL+"/readyz", s.Token)
	}); err != nil {
		return s, err
	}
	s.kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(s.kubeconfig, s.kubeconfigBytes(), 0o600); err != nil {
		return s, err
	}
	return s, nil
}

// Stop stops the API server, then etcd, and removes the directory. It is
// idempotent.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		// The API server first: with etcd gone it retries for a long time.
		if s.APIServer != nil {
			errs = append(errs, s.APIServer.Stop())
		}
		if s.Etcd != nil {
			errs = append(errs, s.Etcd.Stop())
		}
		if s.Dir != "" {
			errs = append(errs, os.RemoveAll(s.Dir))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// Kubeconfig returns the path of a kubeconfig file for this server (token
// user, the server's own CA).
func (s *Server) Kubeconfig() string { return s.kubeconfig }

// RESTConfig returns a client-go configuration for this server.
func (s *Server) RESTConfig() *rest.Config {
	return &rest.Config{
		Host:            s.URL,
		BearerToken:     s.Token,
		TLSClientConfig: rest.TLSClientConfig{CAData: s.caPEM},
		QPS:             100,
		Burst:           200,
	}
}

func (s *Server) kubeconfigBytes() []byte {
	// JSON is valid YAML; no YAML library needed.
	return fmt.Appendf(nil, `{
  "apiVersion": "v1",
  "kind": "Config",
  "clusters": [{"name": "test", "cluster": {"server": %q, "certificate-authority-data": %q}}],
  "users": [{"name": "admin", "user": {"token": %q}}],
  "contexts": [{"name": "test", "context": {"cluster": "test", "user": "admin"}}],
  "current-context": "test"
}
`, s.URL, base64Std(s.caPEM), s.Token)
}

func httpOK(ctx context.Context, c *http.Client, url, token string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return true, nil
}

// writeSAKeys writes an RSA key pair for service-account tokens.
func writeSAKeys(dir string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	if err := os.WriteFile(filepath.Join(dir, "sa.key"), priv, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "sa.pub"), pub, 0o644)
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
