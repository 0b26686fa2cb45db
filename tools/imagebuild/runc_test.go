package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// unpackRootfs writes an image's layers into dir as the runtime would:
// owners and modes from the layer.
func unpackRootfs(t *testing.T, layerTars [][]byte, dir string) {
	t.Helper()
	for _, raw := range layerTars {
		tr := tar.NewReader(bytes.NewReader(raw))
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, filepath.Clean("/"+h.Name))
			switch h.Typeflag {
			case tar.TypeDir:
				if err := os.MkdirAll(p, 0o755); err != nil {
					t.Fatal(err)
				}
			case tar.TypeReg:
				data, err := io.ReadAll(tr)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Lchown(p, h.Uid, h.Gid); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, os.FileMode(h.Mode&0o777)|modeBits(h.Mode)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func modeBits(m int64) os.FileMode {
	var b os.FileMode
	if m&0o1000 != 0 {
		b |= os.ModeSticky
	}
	return b
}

// runcBundle is this machine's architecture's image unpacked as an OCI
// runtime bundle: read-only root, the image's user and env, the host's
// network namespace (so a server on the host's loopback is reachable), a
// tmpfs on /tmp as a pod's emptyDir.
type runcBundle struct {
	runc, dir, state string
	user             string
	env              []string
}

func newBundle(t *testing.T) *runcBundle {
	t.Helper()
	runc := need(t, "runc")
	dir := imageDir(t)
	img := pickImage(t, openArchive(t, filepath.Join(dir, "hookgen.oci.tar")), runtime.GOARCH)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var raws [][]byte
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, raw)
	}
	// Not t.TempDir: its name can be long, and runc's state socket path
	// is limited.
	work, err := os.MkdirTemp("", "hgrunc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	b := &runcBundle{runc: runc, dir: filepath.Join(work, "b"), state: filepath.Join(work, "s")}
	unpackRootfs(t, raws, filepath.Join(b.dir, "rootfs"))
	cf := configOf(t, img)
	b.user, b.env = cf.Config.User, cf.Config.Env
	cmd := exec.Command(runc, "spec", "--bundle", b.dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("runc spec: %v\n%s", err, out)
	}
	return b
}

var runcSeq struct {
	sync.Mutex
	n int
}

// run runs args in a fresh container and returns its output and exit code.
func (b *runcBundle) run(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(b.dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	var uid, gid int
	if _, err := fmt.Sscanf(b.user, "%d:%d", &uid, &gid); err != nil {
		t.Fatalf("image USER %q is not uid:gid", b.user)
	}
	spec["root"] = map[string]any{"path": "rootfs", "readonly": true}
	proc := spec["process"].(map[string]any)
	proc["terminal"] = false
	proc["args"] = args
	proc["env"] = append(append([]string{}, b.env...), env...)
	proc["cwd"] = "/"
	proc["user"] = map[string]any{"uid": uid, "gid": gid}
	linux := spec["linux"].(map[string]any)
	var ns []any
	for _, n := range linux["namespaces"].([]any) {
		if n.(map[string]any)["type"] != "network" {
			ns = append(ns, n)
		}
	}
	linux["namespaces"] = ns
	spec["mounts"] = append(spec["mounts"].([]any), map[string]any{
		"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
		"options": []string{"nosuid", "nodev", "mode=1777", "size=16m"},
	})
	raw, err = json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, "config.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	runcSeq.Lock()
	runcSeq.n++
	id := fmt.Sprintf("hookgen-image-test-%d-%d", os.Getpid(), runcSeq.n)
	runcSeq.Unlock()
	cmd := exec.Command(b.runc, "--root", b.state, "run", "--bundle", b.dir, id)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("runc run: %v\n%s", err, out.String())
	}
	return out.String(), code
}

// The image runs as uid 999 on a read-only root: hookgen is on PATH, its
// default config directory gives the built-in templates, and a webhook
// reaches a server on the host.
func TestRunc(t *testing.T) {
	b := newBundle(t)

	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type")+" "+string(body))
		mu.Unlock()
	}))
	defer srv.Close()

	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want []string
	}{
		{"version", nil, []string{"hookgen", "version"}, 0, []string{"hookgen ", "linux/" + runtime.GOARCH}},
		{"runner on PATH", nil, []string{"hookgen", "run", "http-check", "--help"}, 0, []string{"Usage: hookgen run http-check"}},
		// No HOOKGEN_CONFIG_DIR in the image: the default directory
		// applies, and with nothing mounted there the built-ins do.
		{"default config", nil, []string{"hookgen", "templates", "list"}, 0, []string{"webhook", "slack", "migration"}},
		{"explicit missing config", []string{"HOOKGEN_CONFIG_DIR=/nowhere"}, []string{"hookgen", "templates", "list"}, 1, []string{"open the config directory /nowhere"}},
		{"webhook", []string{"WEBHOOK_URL=" + srv.URL + "/deploys", "HOOKGEN_APP_NAME=shop"},
			[]string{"hookgen", "run", "webhook", "--strict", "--attempts=1", "--deadline=20s"}, 0, nil},
		{"no shell", nil, []string{"/bin/sh", "-c", "true"}, -1, []string{"/bin/sh"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := b.run(t, tc.env, tc.args...)
			if tc.code >= 0 && code != tc.code || tc.code < 0 && code == 0 {
				t.Errorf("%s: exit %d, want %d\n%s", strings.Join(tc.args, " "), code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s: output lacks %q:\n%s", strings.Join(tc.args, " "), w, out)
				}
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.HasPrefix(got[0], "POST /deploys application/json {") || !strings.Contains(got[0], `"shop"`) {
		t.Errorf("the host's server received %q, want one JSON POST to /deploys about shop", got)
	}
}
