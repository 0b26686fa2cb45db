package yamlio

import (
	"io/fs"
	"runtime"
	"sync"
	"sync/atomic"
)

// A Listing is a file to read: its path and, for a symlink, the info of
// what it leads to (nil for a file its directory lists as regular, which
// is opened once and checked as opened, without a stat of its own).
type Listing struct {
	Name   string
	Linked fs.FileInfo
}

// batchMin is the fewest items Spread spreads over goroutines.
const batchMin = 32

// ReadBatch reads files as reading them one after another, in order,
// would: the same contents, problems and limits. The input
// (open, stat, read) of many files runs on up to GOMAXPROCS goroutines,
// at most 4; their limits are then applied in order. The files read at
// once stay within max-total-bytes (each reserves its size first); a
// file whose reservation did not fit is read when its turn comes, if the
// files before it leave room.
func (r *Reader) ReadBatch(ls []Listing) (data [][]byte, ok []bool) {
	data, ok = make([][]byte, len(ls)), make([]bool, len(ls))
	var reserved atomic.Int64
	reserved.Store(r.total)
	reserve := func(n int64) bool {
		if reserved.Add(n) > r.Limits.MaxTotalBytes {
			reserved.Add(-n)
			return false
		}
		return true
	}
	got := make([]fetched, len(ls))
	if !Spread(len(ls), func(i int) { got[i] = r.fetch(ls[i], reserve) }) {
		for i, l := range ls {
			data[i], ok[i] = r.readOne(l)
		}
		return data, ok
	}
	for i, l := range ls {
		data[i], ok[i] = r.settle(l, got[i])
		got[i] = fetched{}
	}
	return data, ok
}

// Spread calls do(i) for every i below n on up to GOMAXPROCS goroutines
// (at most 4) and waits for them. For fewer than batchMin items, or one
// processor, it calls nothing and returns false: starting goroutines
// would cost more than they save, and the caller works in order.
func Spread(n int, do func(i int)) bool {
	workers := min(runtime.GOMAXPROCS(0), 4)
	if n < batchMin || workers < 2 {
		return false
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				do(i)
			}
		})
	}
	wg.Wait()
	return true
}
