package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// imageRepo is where releases publish the image.
const imageRepo = "ghcr.io/hookgen/hookgen"

// layerTar is the image's single layer: the entries in path order, owned
// by root, every time set to mtime.
func layerTar(es []entry, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		h := &tar.Header{
			Name:    e.path,
			Mode:    int64(e.mode.Perm()),
			ModTime: mtime,
			Format:  tar.FormatUSTAR,
		}
		if e.mode&fs.ModeSticky != 0 {
			h.Mode |= 0o1000
		}
		if e.dir {
			h.Typeflag = tar.TypeDir
			h.Name += "/"
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// imageConfig is what the Dockerfile says too: the sidecar's entrypoint
// (Argo CD's cmp-server, which the repo-server's init container copies into
// the shared /var/run/argocd), user 999:999, hookgen on PATH. No
// HOOKGEN_CONFIG_DIR: the default directory applies, and a missing one
// means the built-in templates and the open policy.
func imageConfig(arch string, created time.Time) *v1.ConfigFile {
	return &v1.ConfigFile{
		Architecture: arch,
		OS:           "linux",
		Created:      v1.Time{Time: created},
		Config: v1.Config{
			User:       imageUser,
			Env:        []string{"PATH=" + imagePATH},
			Entrypoint: []string{cmpServer},
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
}

// platformImage builds one platform's image from its root filesystem.
func platformImage(arch string, es []entry, created time.Time, annotations map[string]string) (v1.Image, error) {
	raw, err := layerTar(es, created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressionLevel(gzip.BestCompression))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, imageConfig(arch, created))
	if err != nil {
		return nil, err
	}
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History:   v1.History{Created: v1.Time{Time: created}, CreatedBy: "imagebuild rootfs", Comment: "hookgen, CA certificates, users, plugin.yaml"},
	})
	if err != nil {
		return nil, err
	}
	return mutate.Annotations(img, annotations).(v1.Image), nil
}

// buildIndex is the multi-arch index over the platforms' root filesystems
// (arch -> directory), in architecture order. Its descriptors carry media
// type, digest, size and platform only: go-containerregistry's own index
// adds an artifactType that OCI reserves for artifacts, and that tools
// such as skopeo then refuse to copy with the digest preserved.
func buildIndex(rootfs map[string]string, created time.Time, annotations map[string]string) (v1.ImageIndex, error) {
	var archs []string
	for a := range rootfs {
		archs = append(archs, a)
	}
	sort.Strings(archs)
	idx := &index{images: map[v1.Hash]v1.Image{}}
	m := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Annotations: annotations}
	for _, a := range archs {
		es, err := readRootfs(rootfs[a])
		if err != nil {
			return nil, err
		}
		img, err := platformImage(a, es, created, annotations)
		if err != nil {
			return nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		n, err := img.Size()
		if err != nil {
			return nil, err
		}
		idx.images[d] = img
		m.Manifests = append(m.Manifests, v1.Descriptor{
			MediaType: types.OCIManifestSchema1, Size: n, Digest: d,
			Platform: &v1.Platform{OS: "linux", Architecture: a},
		})
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	idx.raw, idx.manifest = raw, &m
	return idx, nil
}

// index is an image index with exactly the manifest buildIndex wrote.
type index struct {
	raw      []byte
	manifest *v1.IndexManifest
	images   map[v1.Hash]v1.Image
}

func (i *index) MediaType() (types.MediaType, error)       { return types.OCIImageIndex, nil }
func (i *index) Digest() (v1.Hash, error)                  { return partial.Digest(i) }
func (i *index) Size() (int64, error)                      { return partial.Size(i) }
func (i *index) IndexManifest() (*v1.IndexManifest, error) { return i.manifest.DeepCopy(), nil }
func (i *index) RawManifest() ([]byte, error)              { return i.raw, nil }
func (i *index) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	return nil, fmt.Errorf("no index %s in the index", h)
}
func (i *index) Image(h v1.Hash) (v1.Image, error) {
	if img, ok := i.images[h]; ok {
		return img, nil
	}
	return nil, fmt.Errorf("no image %s in the index", h)
}

// writeArchive writes idx as an OCI image layout in a tar archive: the
// files in name order, owned by root, dated mtime.
func writeArchive(out string, idx v1.ImageIndex, refName string, mtime time.Time) error {
	tmp, err := os.MkdirTemp("", "imagebuild-layout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": refName})); err != nil {
		return err
	}
	es, err := readRootfs(tmp)
	if err != nil {
		return err
	}
	for i := range es {
		if es[i].dir {
			es[i].mode = 0o755
		} else {
			es[i].mode = 0o644
		}
	}
	raw, err := layerTar(es, mtime)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, raw, 0o644)
}

type multiFlag map[string]string

func (m multiFlag) String() string { return fmt.Sprint(map[string]string(m)) }
func (m multiFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" || v == "" {
		return fmt.Errorf("want ARCH=DIR, got %q", s)
	}
	m[k] = v
	return nil
}

func cmdImage(args []string) error {
	fl := flag.NewFlagSet("image", flag.ContinueOnError)
	rootfs := multiFlag{}
	fl.Var(rootfs, "rootfs", "ARCH=DIR, a platform's root filesystem (repeatable)")
	out := fl.String("out", "", "the OCI layout archive to write")
	digestFile := fl.String("digest-file", "", "write the index digest here too")
	version := fl.String("version", "dev", "the version, the archive's ref name")
	revision := fl.String("revision", "", "the commit")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if len(rootfs) == 0 || *out == "" {
		return fmt.Errorf("-rootfs and -out are required")
	}
	created, err := sourceDate()
	if err != nil {
		return err
	}
	ann := map[string]string{
		"org.opencontainers.image.created":  created.Format(time.RFC3339),
		"org.opencontainers.image.source":   "https://github.com/hookgen/hookgen",
		"org.opencontainers.image.version":  *version,
		"org.opencontainers.image.revision": *revision,
	}
	idx, err := buildIndex(rootfs, created, ann)
	if err != nil {
		return err
	}
	if err := writeArchive(*out, idx, *version, created); err != nil {
		return err
	}
	d, err := idx.Digest()
	if err != nil {
		return err
	}
	if *digestFile != "" {
		if err := os.WriteFile(*digestFile, []byte(d.String()+"\n"), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%s %s\n", *out, d)
	return nil
}
