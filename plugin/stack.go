package plugin

// A goroutine starts with an 8 KiB stack and grows by copying it to one
// twice the size, walking every frame on it to move its pointers. A
// hooks-only generate takes the main goroutine's stack to 64 KiB through
// YAML parsing, reflection and kyaml: three copies, each deeper than the
// last, with a few dozen page faults. Main asks for that size once, while
// the stack holds three frames: a hooks-only generate then takes 0.97 of
// the time it took (make bench's row vs against the build without it, 600
// interleaved runs, both ratios). TestGrowStack checks that the stack
// moves once, and not again for a frame half its size.

// startStack is the stack Main grows to before any command runs.
const startStack = 64 << 10

// growStack makes the calling goroutine's stack at least startStack
// long. The frame holds the array the size asks for, but never writes
// it: the array is zeroed and read only on a branch no caller takes, so
// the pages of the new stack are touched only as the command uses them.
//
//go:noinline
func growStack(never bool) byte {
	if never {
		var frame [startStack]byte
		return keep(frame[:])
	}
	return 0
}

//go:noinline
func keep(b []byte) byte { return b[len(b)-1] }
