package inert

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Escape writes every control character of s as its Go escape
// (\n, \x1b, \u202e): a file name or value echoed in a message must not
// start a line of its own, move a terminal's cursor, or reorder what Argo
// CD's UI shows. It covers C0 and C1 controls, DEL, the line and paragraph
// separators and the bidirectional controls; text without them comes back
// unchanged, and escaping twice changes nothing more.
func Escape(s string) string {
	if !strings.ContainsFunc(s, IsControl) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case IsControl(c):
			q := strconv.QuoteRune(c)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// IsControl reports the characters a message or log line must not hold
// raw: C0 and C1 controls, DEL, line and paragraph separators and the
// bidirectional controls that reorder what a reader sees.
func IsControl(c rune) bool {
	switch {
	case c < 0x20, c >= 0x7f && c <= 0x9f, c == 0x2028, c == 0x2029,
		c >= 0x202a && c <= 0x202e, c >= 0x2066 && c <= 0x2069, c == 0x200e, c == 0x200f, c == 0x061c:
		return true
	}
	return false
}
