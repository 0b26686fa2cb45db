package sandbox

import (
	"testing"
	"time"
)

// TestSlotsBoundParallelGenerates checks that no more runs than there are
// slots hold one at once, that a waiting run gets the slot when it is
// released, and that 0 turns the bound off.
func TestSlotsBoundParallelGenerates(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	r1, r2 := AcquireSlot(2), AcquireSlot(2)
	got := make(chan func(), 1)
	go func() { got <- AcquireSlot(2) }()
	select {
	case <-got:
		t.Fatal("a third run took a slot while both were held")
	case <-time.After(200 * time.Millisecond):
	}
	r1()
	select {
	case r3 := <-got:
		r3()
	case <-time.After(5 * time.Second):
		t.Fatal("a released slot was not taken by the waiting run")
	}
	r2()
	done := make(chan bool)
	go func() {
		a, b := AcquireSlot(0), AcquireSlot(0)
		a()
		b()
		done <- true
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("with 0 slots a run waited")
	}
}
