package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"debug/elf"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// The tests read what `make image` wrote (HOOKGEN_IMAGE_DIR, default
// bin/image of the repository); `make test-image` builds it first.
func imageDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HOOKGEN_IMAGE_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "bin", "image")
	}
	if _, err := os.Stat(filepath.Join(dir, "hookgen.oci.tar")); err != nil {
		t.Fatalf("no image archive: %v\nbuild it first: make image (or run make test-image)", err)
	}
	return dir
}

// openArchive unpacks an OCI layout archive and returns its index.
func openArchive(t *testing.T, archive string) v1.ImageIndex {
	t.Helper()
	dir := t.TempDir()
	untar(t, archive, dir)
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	// The layout's index.json names one image index: the multi-arch one.
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 {
		return idx // buildah's archive: the image itself
	}
	if m.Manifests[0].MediaType.IsIndex() {
		inner, err := idx.ImageIndex(m.Manifests[0].Digest)
		if err != nil {
			t.Fatal(err)
		}
		return inner
	}
	return idx
}

func untar(t *testing.T, archive, dir string) {
	t.Helper()
	cmd := exec.Command("tar", "-C", dir, "-xf", archive)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar -xf %s: %v\n%s", archive, err, out)
	}
}

// platformImage picks one architecture's image from an index.
func pickImage(t *testing.T, idx v1.ImageIndex, arch string) v1.Image {
	t.Helper()
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Manifests {
		if d.Platform != nil && d.Platform.OS == "linux" && d.Platform.Architecture == arch {
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			return img
		}
	}
	if len(m.Manifests) == 1 && m.Manifests[0].Platform == nil {
		img, err := idx.Image(m.Manifests[0].Digest)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	t.Fatalf("no linux/%s image in the index: %+v", arch, m.Manifests)
	return nil
}

// file is one entry of an image's filesystem as the runtime sees it.
type file struct {
	Mode     int64
	UID, GID int
	Dir      bool
	SHA256   string
	data     []byte
}

// imageFiles reads every layer of img into path -> file.
func imageFiles(t *testing.T, img v1.Image) map[string]file {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	fs := map[string]file{}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			name := strings.Trim(strings.TrimPrefix(h.Name, "./"), "/")
			if name == "" || name == "." {
				continue
			}
			f := file{Mode: h.Mode & 0o7777, UID: h.Uid, GID: h.Gid, Dir: h.Typeflag == tar.TypeDir}
			switch h.Typeflag {
			case tar.TypeDir:
			case tar.TypeReg:
				if f.data, err = io.ReadAll(tr); err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(f.data)
				f.SHA256 = hex.EncodeToString(sum[:])
			default:
				t.Errorf("%s: type %c; the image holds only files and directories", name, h.Typeflag)
			}
			fs[name] = f
		}
		rc.Close()
	}
	return fs
}

func configOf(t *testing.T, img v1.Image) *v1.ConfigFile {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cf
}

func TestArchive(t *testing.T) {
	dir := imageDir(t)
	idx := openArchive(t, filepath.Join(dir, "hookgen.oci.tar"))
	plugin, err := os.ReadFile(filepath.Join("..", "..", "plugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		arch    string
		machine elf.Machine
	}{
		{"amd64", elf.EM_X86_64},
		{"arm64", elf.EM_AARCH64},
	} {
		t.Run(tc.arch, func(t *testing.T) {
			img := pickImage(t, idx, tc.arch)
			cf := configOf(t, img)
			if cf.OS != "linux" || cf.Architecture != tc.arch {
				t.Errorf("config platform %s/%s, want linux/%s", cf.OS, cf.Architecture, tc.arch)
			}
			if cf.Config.User != "999:999" {
				t.Errorf("USER %q, want 999:999 (Argo CD's uid and gid)", cf.Config.User)
			}
			if want := []string{"/var/run/argocd/argocd-cmp-server"}; !slices.Equal(cf.Config.Entrypoint, want) || len(cf.Config.Cmd) != 0 {
				t.Errorf("ENTRYPOINT %q CMD %q, want %q and no CMD", cf.Config.Entrypoint, cf.Config.Cmd, want)
			}
			for _, e := range cf.Config.Env {
				// Set, it turns a missing default directory (built-ins and
				// the open policy) into a hard error.
				if strings.HasPrefix(e, "HOOKGEN_CONFIG_DIR=") {
					t.Errorf("the image sets %s: leave the default config directory to hookgen", e)
				}
			}
			if !slices.Contains(cf.Config.Env, "PATH=/usr/local/bin:/usr/bin:/bin") {
				t.Errorf("env %q: want PATH with /usr/local/bin, where hookgen is", cf.Config.Env)
			}

			fs := imageFiles(t, img)
			for name, f := range fs {
				if f.UID != 0 || f.GID != 0 {
					t.Errorf("%s owned by %d:%d, want root: nothing in the image is the runtime user's to change", name, f.UID, f.GID)
				}
				if base := filepath.Base(name); base == "sh" || base == "bash" || base == "busybox" {
					t.Errorf("%s: the image has no shell", name)
				}
			}
			for _, sh := range []string{"bin/sh", "bin", "usr/bin/sh"} {
				if _, ok := fs[sh]; ok {
					t.Errorf("/%s is in the image: it has no shell", sh)
				}
			}
			checkLine(t, fs, "etc/passwd", "argocd:x:999:999:")
			checkLine(t, fs, "etc/group", "argocd:x:999:")
			if f := fs["home/argocd/cmp-server/config/plugin.yaml"]; !bytes.Equal(f.data, plugin) {
				t.Errorf("/home/argocd/cmp-server/config/plugin.yaml is not the repository's plugin.yaml (%d bytes)", len(f.data))
			}
			bin, ok := fs["usr/local/bin/hookgen"]
			if !ok || bin.Mode != 0o755 {
				t.Fatalf("/usr/local/bin/hookgen: present %v, mode %o; want an executable on PATH", ok, bin.Mode)
			}
			ef, err := elf.NewFile(bytes.NewReader(bin.data))
			if err != nil {
				t.Fatalf("/usr/local/bin/hookgen: %v", err)
			}
			if ef.Machine != tc.machine {
				t.Errorf("/usr/local/bin/hookgen is for %v, want %v", ef.Machine, tc.machine)
			}
			for _, p := range ef.Progs {
				if p.Type == elf.PT_INTERP {
					t.Errorf("/usr/local/bin/hookgen has an ELF interpreter: want a static binary (CGO_ENABLED=0)")
				}
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(fs["etc/ssl/certs/ca-certificates.crt"].data) {
				t.Fatal("/etc/ssl/certs/ca-certificates.crt holds no certificate")
			}
			if n := strings.Count(string(fs["etc/ssl/certs/ca-certificates.crt"].data), "BEGIN CERTIFICATE"); n < 100 {
				t.Errorf("the CA bundle holds %d certificates, want Debian's (over 100)", n)
			}
			if f := fs["tmp"]; !f.Dir || f.Mode != 0o1777 {
				t.Errorf("/tmp mode %o, want a sticky 1777 directory", f.Mode)
			}
		})
	}
}

func checkLine(t *testing.T, fs map[string]file, name, prefix string) {
	t.Helper()
	for _, l := range strings.Split(string(fs[name].data), "\n") {
		if strings.HasPrefix(l, prefix) {
			return
		}
	}
	t.Errorf("/%s has no line %q...:\n%s", name, prefix, fs[name].data)
}

// The archive's digest is what hookgen.digest says, and building the index
// again from the same root filesystems gives the same bytes.
func TestDigestStable(t *testing.T) {
	dir := imageDir(t)
	idx := openArchive(t, filepath.Join(dir, "hookgen.oci.tar"))
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "hookgen.digest"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(want)) != d.String() {
		t.Errorf("hookgen.digest says %s, the archive's index is %s", strings.TrimSpace(string(want)), d)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	created, err := time.Parse(time.RFC3339, m.Annotations["org.opencontainers.image.created"])
	if err != nil {
		t.Fatal(err)
	}
	again, err := buildIndex(map[string]string{
		"amd64": filepath.Join(dir, "rootfs", "amd64"),
		"arm64": filepath.Join(dir, "rootfs", "arm64"),
	}, created, m.Annotations)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := again.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if d2 != d {
		t.Errorf("rebuilt from the same root filesystems: digest %s, the archive's %s", d2, d)
	}
}

// need returns the path of a Debian tool the test cannot do without.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s is not installed: apt-get install %s (make test-image and .ci/run install it)", tool, tool)
	}
	return p
}

// The Dockerfile (FROM scratch over the prepared root filesystem), built
// by buildah with no daemon and no registry, yields the same files, modes,
// owners and contents as the archive, and the same user, env and
// entrypoint.
func TestDockerfileSameFiles(t *testing.T) {
	buildah := need(t, "buildah")
	dir := imageDir(t)
	idx := openArchive(t, filepath.Join(dir, "hookgen.oci.tar"))
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if abs, _ := filepath.Abs(dir); abs != filepath.Join(repo, "bin", "image") {
		t.Fatalf("the Dockerfile copies bin/image/rootfs: build the image there (make image), not in %s", dir)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			work := t.TempDir()
			store := []string{"--storage-driver", "vfs", "--root", filepath.Join(work, "root"), "--runroot", filepath.Join(work, "run")}
			tag := "localhost/hookgen:test-" + arch
			run := func(args ...string) {
				cmd := exec.Command(buildah, append(slices.Clone(store), args...)...)
				cmd.Dir = repo
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("buildah %s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
			archive := filepath.Join(work, "buildah.oci.tar")
			run("bud", "--isolation", "chroot", "--platform", "linux/"+arch, "-t", tag, ".")
			run("push", tag, "oci-archive:"+archive)
			built := pickImage(t, openArchive(t, archive), arch)
			want := pickImage(t, idx, arch)

			got, exp := imageFiles(t, built), imageFiles(t, want)
			for name, f := range exp {
				g, ok := got[name]
				switch {
				case !ok:
					t.Errorf("/%s: in make image's archive, not in the Dockerfile's", name)
				case g.Mode != f.Mode || g.UID != f.UID || g.GID != f.GID || g.Dir != f.Dir || g.SHA256 != f.SHA256:
					t.Errorf("/%s differs: Dockerfile %+v, make image %+v", name, g, f)
				}
			}
			for name := range got {
				if _, ok := exp[name]; !ok {
					t.Errorf("/%s: in the Dockerfile's image, not in make image's", name)
				}
			}
			gc, wc := configOf(t, built), configOf(t, want)
			if gc.Architecture != arch || gc.Config.User != wc.Config.User || !slices.Equal(gc.Config.Env, wc.Config.Env) ||
				!slices.Equal(gc.Config.Entrypoint, wc.Config.Entrypoint) || !slices.Equal(gc.Config.Cmd, wc.Config.Cmd) {
				t.Errorf("config differs:\nDockerfile %s %q %q %q %q\nmake image %s %q %q %q %q", gc.Architecture,
					gc.Config.User, gc.Config.Env, gc.Config.Entrypoint, gc.Config.Cmd, wc.Architecture,
					wc.Config.User, wc.Config.Env, wc.Config.Entrypoint, wc.Config.Cmd)
			}
		})
	}
}

// skopeo, which the release workflow pushes with, copies every platform of
// the archive and keeps the index digest.
func TestSkopeoKeepsDigest(t *testing.T) {
	skopeo := need(t, "skopeo")
	dir := imageDir(t)
	idx := openArchive(t, filepath.Join(dir, "hookgen.oci.tar"))
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	ref := m.Annotations["org.opencontainers.image.version"]
	dest := t.TempDir()
	cmd := exec.Command(skopeo, "copy", "--all", "--preserve-digests",
		"oci-archive:"+filepath.Join(dir, "hookgen.oci.tar")+":"+ref, "oci:"+dest+":copy")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy: %v\n%s", err, out)
	}
	p, err := layout.FromPath(dest)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	tm, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	if len(tm.Manifests) != 1 || tm.Manifests[0].Digest != want {
		t.Errorf("skopeo's copy holds %+v, want the index %s", tm.Manifests, want)
	}
}
