package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// install copies the binary at src into work/bin under name and returns
// the copy's path. Every binary a row times (hookgen, kustomize, the
// hello-world, -against; bench/run.sh does the same for the servers' rows)
// runs from such a copy, so that all sides start from the page cache as
// an installed binary does.
//
// How a file came into the page cache changes what starting it costs.
// The Go linker writes its output through a memory mapping, which leaves
// the file in 4 KiB pages; a file written with write(2), or read from
// disk as a sidecar's image layer is, sits in large folios on the file
// systems that have them (ext4 since Linux 6.16), and maps with fewer,
// cheaper page faults. On the machine of bench/results.md the same
// hookgen binary ran row a's app 10% slower as the linker left it than
// from a copy (400 interleaved pairs, either order), and a kustomize
// that was partly evicted and read back sat in between: which side was
// freshly linked decided a few percent of a ratio.
func install(src, work, name string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	dir := filepath.Join(work, "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, name+".*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(tmp, in)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o755)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("install %s: %w", src, err)
	}
	return dst, nil
}
