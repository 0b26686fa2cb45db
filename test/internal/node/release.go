package node

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hookgen/hookgen/test/internal/tools"
)

// Archive is an image built elsewhere, as an OCI image layout archive: it
// is imported as it is and tagged Name.
type Archive struct {
	// File is the archive (an OCI image layout tar whose index.json names
	// one image index by an org.opencontainers.image.ref.name tag).
	File string
	// Name is the reference pods use.
	Name string
	// Digest is the image index's digest ("sha256:..."): the one the
	// archive must hold, and the one containerd must have under Name.
	Digest string
}

// imageDir is where HookgenArchive keeps the image, under the repository.
const imageDir = "bin/image-node"

// HookgenArchive is hookgen's image as `make image` builds it
// (tools/imagebuild/build.sh: both platforms, the pinned CA certificates,
// the version and commit from git), to be imported as HookgenImage. It is
// built into bin/image-node of the repository, and built again whenever
// what goes into it changed: the key is the hash of every file of the
// checkout the build reads (everything but the test module, tests,
// documentation and examples), the git description (which carries
// -dirty), the commit's time and the Go version. So the image is never
// older than the checkout, and a second run costs only the hashing.
func HookgenArchive(ctx context.Context) (Archive, error) {
	root, err := tools.RepoRoot()
	if err != nil {
		return Archive{}, err
	}
	key, err := imageKey(ctx, root)
	if err != nil {
		return Archive{}, err
	}
	dir := filepath.Join(root, imageDir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return Archive{}, err
	}
	// One build at a time: concurrent test processes share the directory.
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return Archive{}, err
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return Archive{}, err
	}
	a := Archive{File: filepath.Join(dir, "hookgen.oci.tar"), Name: HookgenImage}
	if old, err := os.ReadFile(filepath.Join(dir, "key")); err != nil || string(old) != key {
		tmp := dir + ".new"
		cmd := exec.CommandContext(ctx, filepath.Join(root, "tools/imagebuild/build.sh"), tmp)
		cmd.Dir = root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return Archive{}, fmt.Errorf("node: building hookgen's image (tools/imagebuild/build.sh): %v (in the tests' network namespace nothing can be downloaded: make test-node fetches the pinned package first with tools/imagebuild/build.sh --fetch)\n%s", err, out.Bytes())
		}
		if err := os.WriteFile(filepath.Join(tmp, "key"), []byte(key), 0o644); err != nil {
			return Archive{}, err
		}
		if err := os.RemoveAll(dir); err != nil {
			return Archive{}, err
		}
		if err := os.Rename(tmp, dir); err != nil {
			return Archive{}, err
		}
	}
	digest, err := os.ReadFile(filepath.Join(dir, "hookgen.digest"))
	if err != nil {
		return Archive{}, err
	}
	a.Digest = strings.TrimSpace(string(digest))
	return a, nil
}

// imageKey hashes what the image is built from (see HookgenArchive).
func imageKey(ctx context.Context, root string) (string, error) {
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("node: git %s: %v (the image's key needs a git checkout)", strings.Join(args, " "), err)
		}
		return string(out), nil
	}
	h := sha256.New()
	for _, args := range [][]string{{"describe", "--tags", "--always", "--dirty"}, {"log", "-1", "--format=%H %ct"}} {
		out, err := git(args...)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\n", out)
	}
	goVersion, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("node: go env GOVERSION: %v", err)
	}
	fmt.Fprintf(h, "%s\n", goVersion)
	list, err := git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return "", err
	}
	var files []string
	for _, f := range strings.Split(list, "\x00") {
		if f != "" && buildInput(f) {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		fh, err := os.Open(filepath.Join(root, f))
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00", f)
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// buildInput reports whether a file of the checkout may go into the
// image: not the test module, tests, documentation, examples or the
// repository's test data.
func buildInput(f string) bool {
	for _, dir := range []string{"test/", "docs/", "testdata/", "examples/", "bench/", "manifests/", ".github/"} {
		if strings.HasPrefix(f, dir) {
			return false
		}
	}
	return !strings.HasSuffix(f, "_test.go") && !strings.HasSuffix(f, ".md") && !strings.Contains(f, "/testdata/")
}

// archiveIndex reads the tag and digest of the image index an OCI image
// layout archive names in its index.json.
func archiveIndex(file string) (tag, digest string, err error) {
	f, err := os.Open(file)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return "", "", fmt.Errorf("node: %s has no index.json", file)
		}
		if err != nil {
			return "", "", fmt.Errorf("node: reading %s: %w", file, err)
		}
		if strings.TrimPrefix(h.Name, "./") != "index.json" {
			continue
		}
		var idx struct {
			Manifests []struct {
				Digest      string            `json:"digest"`
				Annotations map[string]string `json:"annotations"`
			} `json:"manifests"`
		}
		if err := json.NewDecoder(tr).Decode(&idx); err != nil {
			return "", "", fmt.Errorf("node: %s: index.json: %w", file, err)
		}
		if len(idx.Manifests) != 1 || idx.Manifests[0].Annotations["org.opencontainers.image.ref.name"] == "" {
			return "", "", fmt.Errorf("node: %s: index.json must name one image by a ref.name tag", file)
		}
		m := idx.Manifests[0]
		return m.Annotations["org.opencontainers.image.ref.name"], m.Digest, nil
	}
}

// importArchive imports an Archive into containerd and tags it a.Name;
// the image under that name must have the archive's digest.
func (n *Node) importArchive(ctx context.Context, a Archive) error {
	tag, digest, err := archiveIndex(a.File)
	if err != nil {
		return err
	}
	if a.Digest != "" && digest != a.Digest {
		return fmt.Errorf("node: %s holds image %s, want %s", a.File, digest, a.Digest)
	}
	base, _, ok := strings.Cut(a.Name, ":")
	if !ok || strings.Contains(base, "@") {
		return fmt.Errorf("node: archive image name %q must be REPOSITORY:TAG", a.Name)
	}
	if out, err := n.ctr(ctx, "images", "import", "--platform", "linux/amd64", "--base-name", base, a.File); err != nil {
		return fmt.Errorf("node: importing %s: %v\n%s", a.File, err, out)
	}
	if out, err := n.ctr(ctx, "images", "tag", "--force", base+":"+tag, a.Name); err != nil {
		return fmt.Errorf("node: tagging %s:%s as %s: %v\n%s", base, tag, a.Name, err, out)
	}
	out, err := n.ctr(ctx, "images", "ls", "name=="+a.Name)
	if err != nil {
		return fmt.Errorf("node: ctr images ls: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), digest) {
		return fmt.Errorf("node: containerd's %s is not the archive's image %s:\n%s", a.Name, digest, out)
	}
	return nil
}
