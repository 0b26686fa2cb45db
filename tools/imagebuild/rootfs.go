package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The image's fixed paths. The sidecar's cmp-server reads plugin.yaml from
// the config directory; runner Jobs call "hookgen" through PATH.
const (
	hookgenPath  = "usr/local/bin/hookgen"
	pluginPath   = "home/argocd/cmp-server/config/plugin.yaml"
	caBundlePath = "etc/ssl/certs/ca-certificates.crt"
	imagePATH    = "/usr/local/bin:/usr/bin:/bin"
	imageUser    = "999:999"
	cmpServer    = "/var/run/argocd/argocd-cmp-server"
)

const passwd = `root:x:0:0:root:/root:/sbin/nologin
argocd:x:999:999:Argo CD:/home/argocd:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
`

const group = `root:x:0:
argocd:x:999:
nogroup:x:65534:
`

// A root filesystem entry: a directory when data is nil and dir is set.
type entry struct {
	path string
	mode fs.FileMode
	dir  bool
	data []byte
}

// rootfsEntries is the whole image, every file root-owned: the binary, the
// CA bundle (Debian's certificates in name order, as update-ca-certificates
// concatenates them), the package's copyright, the users, plugin.yaml, and
// the empty directories the pod mounts over.
func rootfsEntries(hookgen, plugin []byte, caRoot string) ([]entry, error) {
	certs, err := filepath.Glob(filepath.Join(caRoot, "usr/share/ca-certificates/mozilla/*.crt"))
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("no certificates under %s/usr/share/ca-certificates/mozilla: unpack the ca-certificates package there (dpkg-deb -x)", caRoot)
	}
	sort.Strings(certs)
	var bundle bytes.Buffer
	for _, c := range certs {
		b, err := os.ReadFile(c)
		if err != nil {
			return nil, err
		}
		bundle.Write(b)
		if !bytes.HasSuffix(b, []byte("\n")) {
			bundle.WriteByte('\n')
		}
	}
	copyright, err := os.ReadFile(filepath.Join(caRoot, "usr/share/doc/ca-certificates/copyright"))
	if err != nil {
		return nil, err
	}
	es := []entry{
		{path: "etc/group", mode: 0o644, data: []byte(group)},
		{path: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{path: caBundlePath, mode: 0o644, data: bundle.Bytes()},
		{path: pluginPath, mode: 0o644, data: plugin},
		{path: hookgenPath, mode: 0o755, data: hookgen},
		{path: "usr/share/doc/ca-certificates/copyright", mode: 0o644, data: copyright},
		// Mount points: the cmp-server (var-files), the plugin socket, the
		// platform config, scratch space.
		{path: "var/run/argocd", mode: 0o755, dir: true},
		{path: "home/argocd/cmp-server/plugins", mode: 0o755, dir: true},
		{path: "home/argocd/hookgen", mode: 0o755, dir: true},
		{path: "tmp", mode: fs.ModeSticky | 0o777, dir: true},
	}
	return withParents(es), nil
}

// withParents adds every missing parent directory (0755) and sorts.
func withParents(es []entry) []entry {
	have := map[string]bool{}
	for _, e := range es {
		have[e.path] = true
	}
	for _, e := range es {
		for d := filepath.Dir(e.path); d != "."; d = filepath.Dir(d) {
			if !have[d] {
				have[d] = true
				es = append(es, entry{path: d, mode: 0o755, dir: true})
			}
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].path < es[j].path })
	return es
}

// writeRootfs lays the entries out under dir, which must not exist, with
// their modes set explicitly (no umask in the result).
func writeRootfs(dir string, es []entry) error {
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("%s exists: remove it first", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, e := range es {
		p := filepath.Join(dir, filepath.FromSlash(e.path))
		if e.dir {
			if err := os.Mkdir(p, 0o700); err != nil {
				return err
			}
		} else if err := os.WriteFile(p, e.data, 0o600); err != nil {
			return err
		}
		if err := os.Chmod(p, e.mode); err != nil {
			return err
		}
	}
	return nil
}

// readRootfs reads a root filesystem directory back as entries: what the
// image's layer holds. Only regular files and directories are allowed.
func readRootfs(dir string) ([]entry, error) {
	var es []entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		fi, err := d.Info()
		if err != nil {
			return err
		}
		e := entry{path: rel, mode: fi.Mode() & (fs.ModePerm | fs.ModeSticky | fs.ModeSetuid | fs.ModeSetgid), dir: d.IsDir()}
		switch {
		case d.IsDir():
		case fi.Mode().IsRegular():
			if e.data, err = os.ReadFile(p); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: only files and directories belong in the image", p)
		}
		es = append(es, e)
		return nil
	})
	sort.Slice(es, func(i, j int) bool { return es[i].path < es[j].path })
	return es, err
}

func cmdRootfs(args []string) error {
	fl := flag.NewFlagSet("rootfs", flag.ContinueOnError)
	hookgen := fl.String("hookgen", "", "the static linux hookgen binary")
	plugin := fl.String("plugin", "plugin.yaml", "the plugin configuration")
	ca := fl.String("ca", "", "the ca-certificates package unpacked (dpkg-deb -x)")
	out := fl.String("out", "", "the root filesystem directory to create")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *hookgen == "" || *ca == "" || *out == "" {
		return fmt.Errorf("-hookgen, -ca and -out are required")
	}
	bin, err := os.ReadFile(*hookgen)
	if err != nil {
		return err
	}
	pl, err := os.ReadFile(*plugin)
	if err != nil {
		return err
	}
	es, err := rootfsEntries(bin, pl, *ca)
	if err != nil {
		return err
	}
	return writeRootfs(*out, es)
}
