package kubeapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var shared struct {
	mu  sync.Mutex
	s   *Server
	err error
}

// Shared returns the package's shared server, starting it on first use. If
// the start fails (for example because a binary is missing) every calling
// test fails with that error. On test failure the part of the daemon logs
// written during the test is dumped. Stop it with StopShared or Main.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.mu.Lock()
	if shared.s == nil && shared.err == nil {
		start := time.Now()
		shared.s, shared.err = StartServer(context.Background(), Options{})
		if shared.err == nil {
			t.Logf("kubeapi: shared API server %s ready in %s (dir %s)", shared.s.URL, time.Since(start).Round(time.Millisecond), shared.s.Dir)
		}
	}
	s, err := shared.s, shared.err
	shared.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	apiOff, etcdOff := s.APIServer.LogSize(), s.Etcd.LogSize()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("---- kube-apiserver log during %s ----\n%s", t.Name(), s.APIServer.LogSince(apiOff, 32<<10))
			t.Logf("---- etcd log during %s ----\n%s", t.Name(), s.Etcd.LogSince(etcdOff, 8<<10))
		}
	})
	return s
}

// StopShared stops the shared server if one was started.
func StopShared() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.s == nil {
		return nil
	}
	err := shared.s.Stop()
	shared.s = nil
	shared.err = fmt.Errorf("kubeapi: the shared server was stopped")
	return err
}

// Main runs the tests and then stops the shared server:
//
//	func TestMain(m *testing.M) { os.Exit(kubeapi.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if err := StopShared(); err != nil {
		fmt.Println("kubeapi:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

// TestNamespace creates a namespace with the given labels for this test
// (name derived from the test name plus a random suffix) and deletes it when
// the test ends.
func (s *Server) TestNamespace(t testing.TB, labels map[string]string) string {
	t.Helper()
	base := strings.Trim(nonName.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(base) > 50 {
		base = strings.Trim(base[:50], "-")
	}
	suf := make([]byte, 3)
	_, _ = rand.Read(suf)
	name := base + "-" + hex.EncodeToString(suf)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.CreateNamespace(ctx, name, labels); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.DeleteNamespace(ctx, name); err != nil {
			t.Logf("kubeapi: %v", err)
		}
	})
	return name
}
