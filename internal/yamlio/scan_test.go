package yamlio

import (
	"math/rand/v2"
	"testing"
)

// TestPrintableLines holds the eight-bytes-at-a-time test to the byte
// by byte one, on every byte value at every position of a word and on
// random text.
func TestPrintableLines(t *testing.T) {
	base := []byte("apiVersion: v1\nkind: ConfigMap # x\n~")
	for pos := range 17 {
		for c := range 256 {
			b := append([]byte(nil), base...)
			b[pos] = byte(c)
			if got, want := printableLines(b), printableBytes(b); got != want {
				t.Fatalf("byte %#x at %d: %v, byte by byte %v", c, pos, got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(0x1e + r.IntN(0x64)) // mostly printable, near both ends
		}
		if got, want := printableLines(b), printableBytes(b); got != want {
			t.Fatalf("%q: %v, byte by byte %v", b, got, want)
		}
	}
}
