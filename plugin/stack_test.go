package plugin

import (
	"testing"
	"unsafe"
)

// deep needs a frame of n KiB, written so that it is kept.
//
//go:noinline
func deep(n int) byte {
	var frame [32 << 10]byte
	frame[n] = byte(n)
	return keep(frame[:])
}

// TestGrowStack checks that growStack moves the goroutine to a stack of
// startStack at once: the stack is copied (a local moves) by growStack,
// and not again by a call that needs half of it.
func TestGrowStack(t *testing.T) {
	type moves struct{ grow, deep bool }
	got := make(chan moves)
	go func() {
		var local byte
		at := func() uintptr { return uintptr(unsafe.Pointer(&local)) }
		start := at()
		growStack(false)
		grown := at()
		deep(1)
		got <- moves{grow: grown != start, deep: at() != grown}
	}()
	m := <-got
	if !m.grow {
		t.Error("growStack did not grow the stack: the compiler dropped its frame?")
	}
	if m.deep {
		t.Errorf("a 32 KiB frame after growStack grew the stack again: startStack (%d) is not reached", startStack)
	}
}
