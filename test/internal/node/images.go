package node

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/hookgen/hookgen/test/internal/tools"
)

// The images every real node has (no registry is reachable: they are built
// here and imported into containerd).
const (
	// PauseImage is containerd 2.4's default sandbox image, here a small
	// Go program (cmd/pause).
	PauseImage = "registry.k8s.io/pause:3.10.2"
	// HookgenImage is hookgen's own image, as `make image` builds it
	// (HookgenArchive): the runner image of the generated Jobs.
	HookgenImage = "registry.test/hookgen:dev"
	// BusyboxRootImage is Debian's busybox-static with no USER: it runs as
	// root, as alpine- and busybox-based images do.
	BusyboxRootImage = "registry.test/busybox-root:1"
	// NamedUserImage is busybox with USER app (uid 1000, a name, not a
	// number) and a shell.
	NamedUserImage = "registry.test/named-user:1"
	// HTTPAppImage answers 200 "ok" on every path at :8080 (cmd/http-app).
	HTTPAppImage = "registry.test/http-app:1"
)

// busyboxApplets are linked to /bin/busybox in the busybox images.
var busyboxApplets = []string{"sh", "id", "echo", "cat", "ls", "mkdir", "touch", "rm", "sleep", "env", "true", "false", "nc", "test", "printf", "date", "whoami", "hostname", "cp", "ln"}

// StandardImages builds the images above but HookgenImage (an Archive,
// HookgenArchive): the Go programs are compiled into dir, busybox is the
// busybox-static of HOOKGEN_TOOLS_BIN.
func StandardImages(ctx context.Context, dir string) ([]Image, error) {
	busybox, err := tools.Lookup(tools.Busybox)
	if err != nil {
		return nil, err
	}
	bb, err := os.ReadFile(busybox)
	if err != nil {
		return nil, err
	}
	bins, err := buildPrograms(ctx, dir, "pause", "http-app")
	if err != nil {
		return nil, err
	}
	tmp := File{Path: "/tmp", Dir: true, Mode: 0o1777}
	withBusybox := func(files ...File) []File {
		fs := []File{{Path: "/bin/busybox", Data: bb, Exec: true}, tmp, {Path: "/var/tmp", Dir: true, Mode: 0o1777}}
		for _, a := range busyboxApplets {
			fs = append(fs, File{Path: "/bin/" + a, Link: "busybox"})
		}
		return append(fs, files...)
	}
	passwd := func(extra string) File {
		return File{Path: "/etc/passwd", Data: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" + extra)}
	}
	group := func(extra string) File {
		return File{Path: "/etc/group", Data: []byte("root:x:0:\nnogroup:x:65534:\n" + extra)}
	}
	return []Image{
		{Name: PauseImage, Files: []File{{Path: "/pause", Data: bins["pause"], Exec: true}}, User: "65535:65535", Entrypoint: []string{"/pause"}},
		{Name: HTTPAppImage, Files: []File{{Path: "/http-app", Data: bins["http-app"], Exec: true}}, User: "65532:65532", Entrypoint: []string{"/http-app"}},
		{Name: BusyboxRootImage, Files: withBusybox(passwd(""), group(""), File{Path: "/root", Dir: true, Mode: 0o700}), Cmd: []string{"sh"}},
		{
			Name: NamedUserImage,
			Files: withBusybox(passwd("app:x:1000:1000:app:/home/app:/bin/sh\n"), group("app:x:1000:\n"),
				File{Path: "/home/app", Dir: true, UID: 1000, GID: 1000}),
			User: "app", WorkingDir: "/home/app", Cmd: []string{"sh"},
		},
	}, nil
}

// buildPrograms compiles the named commands of this package's cmd/ into
// dir, statically, and returns their contents.
func buildPrograms(ctx context.Context, dir string, names ...string) (map[string][]byte, error) {
	root, err := tools.RepoRoot()
	if err != nil {
		return nil, err
	}
	args := []string{"build", "-trimpath", "-ldflags=-s -w", "-o", dir + "/"}
	for _, n := range names {
		args = append(args, "./internal/node/cmd/"+n)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = filepath.Join(root, "test")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false -trimpath")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("node: go build of the image programs: %v\n%s", err, out.Bytes())
	}
	bins := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		bins[n] = b
	}
	return bins, nil
}
