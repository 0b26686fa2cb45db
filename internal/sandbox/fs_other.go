//go:build !unix

package sandbox

import (
	"io/fs"
	"os"
)

const openFlags = os.O_RDONLY

func listEntries(d *os.File, _ func(string) (fs.FileInfo, error)) ([]fs.DirEntry, error) {
	return d.ReadDir(-1)
}
