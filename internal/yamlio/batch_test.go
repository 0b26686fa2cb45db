package yamlio

import (
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/problem"
)

// TestReadBatchAsOneByOne reads the same files with ReadBatch, on several
// goroutines, and one after another (readOne): the
// contents, the problems, the total and OverLimit must be the same, limits
// crossed half way included.
func TestReadBatchAsOneByOne(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	fsys := fstest.MapFS{}
	var names []string
	for i := range 60 {
		name := fmt.Sprintf("m-%02d.yaml", i)
		fsys[name] = &fstest.MapFile{Data: []byte(strings.Repeat("x", 100+37*i) + "\n")}
		names = append(names, name)
	}
	fsys["a-dir.yaml/x"] = &fstest.MapFile{Data: []byte("x")}
	names = append(names, "a-dir.yaml", "missing.yaml")
	slices.Sort(names)
	big := DefaultLimits()
	for _, tc := range []struct {
		name   string
		limits Limits
		linked bool // every file as a symlink's target, with its info
	}{
		{"within the limits", big, false},
		{"linked", big, true},
		{"total crossed half way", Limits{MaxFileBytes: big.MaxFileBytes, MaxTotalBytes: 40_000}, false},
		{"total crossed, linked", Limits{MaxFileBytes: big.MaxFileBytes, MaxTotalBytes: 40_000}, true},
		{"files over their limit", Limits{MaxFileBytes: 1_500, MaxTotalBytes: big.MaxTotalBytes}, false},
		{"both limits", Limits{MaxFileBytes: 2_000, MaxTotalBytes: 30_000}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ls []Listing
			for _, n := range names {
				l := Listing{Name: n}
				if tc.linked {
					fi, err := fs.Stat(fsys, n)
					if err != nil {
						continue // a link to nothing is skipped before reading
					}
					l.Linked = fi
				}
				ls = append(ls, l)
			}
			one := &Reader{FS: fsys, Limits: tc.limits, Problems: &problem.Collector{}}
			var wantData [][]byte
			var wantOK []bool
			for _, l := range ls {
				d, ok := one.readOne(l)
				wantData, wantOK = append(wantData, d), append(wantOK, ok)
			}
			counted := &countingFS{FS: fsys}
			batch := &Reader{FS: counted, Limits: tc.limits, Problems: &problem.Collector{}}
			data, ok := batch.ReadBatch(ls)
			// Reading at once stays near the limit: what the files
			// allowed take, and a file per goroutine at most beyond it.
			if bound := one.total + 4*(tc.limits.MaxFileBytes+1); counted.n.Load() > bound {
				t.Errorf("ReadBatch read %d bytes; the files allowed hold %d", counted.n.Load(), one.total)
			}
			for i := range ls {
				if ok[i] != wantOK[i] || string(data[i]) != string(wantData[i]) {
					t.Errorf("%s: ReadBatch gave %v, %d bytes; one by one %v, %d bytes", ls[i].Name, ok[i], len(data[i]), wantOK[i], len(wantData[i]))
				}
			}
			if batch.total != one.total || batch.OverLimit != one.OverLimit {
				t.Errorf("total %d, over the limit %v; one by one %d, %v", batch.total, batch.OverLimit, one.total, one.OverLimit)
			}
			if got, want := batch.Problems.List.Sorted().Error(), one.Problems.List.Sorted().Error(); got != want {
				t.Errorf("problems:\n%s\none by one:\n%s", got, want)
			}
			if len(one.Problems.List) == 0 {
				t.Error("no problem at all: the case tests nothing of the limits or the failures")
			}
		})
	}
}

// countingFS counts the bytes read from its files.
type countingFS struct {
	fs.FS
	n atomic.Int64
}

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &countingFile{File: f, n: &c.n}, nil
}

type countingFile struct {
	fs.File
	n *atomic.Int64
}

func (f *countingFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	f.n.Add(int64(n))
	return n, err
}

var _ io.Reader = (*countingFile)(nil)
