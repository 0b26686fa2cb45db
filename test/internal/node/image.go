package node

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// File is one entry of an image's single layer.
type File struct {
	// Path is absolute in the image ("/bin/sh").
	Path string
	// Data is a regular file's content; Link makes a symlink instead and
	// Dir a directory.
	Data []byte
	Link string
	Dir  bool
	// Mode is the permission bits (default 0o755 for directories and
	// executables given with Exec, else 0o644).
	Mode int64
	Exec bool
	UID  int
	GID  int
}

// Image is a one-layer image, written as an OCI image layout archive that
// "ctr images import" reads (no registry is needed).
type Image struct {
	// Name is the reference pods use, e.g. registry.test/http-app:1.
	Name string
	// Files make the layer; parent directories are added as needed.
	Files []File
	// User, Entrypoint, Cmd, Env and WorkingDir are the image config.
	User       string
	Entrypoint []string
	Cmd        []string
	Env        []string
	WorkingDir string
}

// epoch is the time of every file and of the image: the archive depends on
// the content only.
var epoch = time.Unix(0, 0).UTC()

// layer writes the image's files as an uncompressed tar, parents first.
func (img *Image) layer() ([]byte, error) {
	entries := map[string]File{}
	for _, f := range img.Files {
		p := path.Clean("/" + f.Path)
		if p == "/" {
			return nil, fmt.Errorf("node: image %s: a file without a path", img.Name)
		}
		entries[p] = f
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if _, ok := entries[d]; !ok {
				entries[d] = File{Path: d, Dir: true}
			}
		}
	}
	names := make([]string, 0, len(entries))
	for p := range entries {
		names = append(names, p)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range names {
		f := entries[p]
		h := &tar.Header{Name: strings.TrimPrefix(p, "/"), ModTime: epoch, Uid: f.UID, Gid: f.GID, Format: tar.FormatPAX}
		switch {
		case f.Dir:
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
		case f.Link != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f.Link, 0o777
		default:
			h.Typeflag, h.Size, h.Mode = tar.TypeReg, int64(len(f.Data)), 0o644
			if f.Exec {
				h.Mode = 0o755
			}
		}
		if f.Mode != 0 {
			h.Mode = f.Mode
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(f.Data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    map[string]string `json:"platform,omitempty"`
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// WriteArchive writes the image as an OCI image layout tar to w: oci-layout,
// index.json (its manifest annotated with io.containerd.image.name, which
// ctr names the image by), and the blobs.
func (img *Image) WriteArchive(w io.Writer) error {
	layer, err := img.layer()
	if err != nil {
		return err
	}
	type execConfig struct {
		User       string   `json:"User,omitempty"`
		Env        []string `json:"Env,omitempty"`
		Entrypoint []string `json:"Entrypoint,omitempty"`
		Cmd        []string `json:"Cmd,omitempty"`
		WorkingDir string   `json:"WorkingDir,omitempty"`
	}
	env := img.Env
	if len(env) == 0 {
		env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	}
	config, err := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      epoch.Format(time.RFC3339),
		"config":       execConfig{User: img.User, Env: env, Entrypoint: img.Entrypoint, Cmd: img.Cmd, WorkingDir: img.WorkingDir},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{digestOf(layer)}},
	})
	if err != nil {
		return err
	}
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        descriptor{MediaType: "application/vnd.oci.image.config.v1+json", Digest: digestOf(config), Size: int64(len(config))},
		"layers":        []descriptor{{MediaType: "application/vnd.oci.image.layer.v1.tar", Digest: digestOf(layer), Size: int64(len(layer))}},
	})
	if err != nil {
		return err
	}
	tag := img.Name[strings.LastIndex(img.Name, ":")+1:]
	index, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests": []descriptor{{
			MediaType: "application/vnd.oci.image.manifest.v1+json", Digest: digestOf(manifest), Size: int64(len(manifest)),
			Annotations: map[string]string{"io.containerd.image.name": img.Name, "org.opencontainers.image.ref.name": tag},
			Platform:    map[string]string{"architecture": "amd64", "os": "linux"},
		}},
	})
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	add := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: epoch, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	blob := func(b []byte) error { return add("blobs/sha256/"+strings.TrimPrefix(digestOf(b), "sha256:"), b) }
	if err := add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)); err != nil {
		return err
	}
	if err := add("index.json", index); err != nil {
		return err
	}
	for _, b := range [][]byte{config, manifest, layer} {
		if err := blob(b); err != nil {
			return err
		}
	}
	return tw.Close()
}

// WriteArchiveFile writes the archive to a file.
func (img *Image) WriteArchiveFile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := img.WriteArchive(f); err != nil {
		f.Close()
		return fmt.Errorf("node: image %s: %w", img.Name, err)
	}
	return f.Close()
}
