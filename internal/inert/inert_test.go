package inert

import "testing"

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain/file.yaml", "plain/file.yaml"},
		{"é ü ✓", "é ü ✓"},
		{"a\nb", `a\nb`},
		{"cr\r\ttab", `cr\r\ttab`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"osc\x1b]0;title\x07", `osc\x1b]0;title\a`},
		{"c1 csi\u009b2J", `c1 csi\u009b2J`},
		{"del\x7f", `del\x7f`},
		{"bidi\u202egnp.exe", `bidi\u202egnp.exe`},
		{"isolate\u2066x\u2069", `isolate\u2066x\u2069`},
		{"line\u2028sep", `line\u2028sep`},
		{"bad\xffutf8", `bad\xffutf8`},
		{`already\nescaped`, `already\nescaped`},
	} {
		got := Escape(tc.in)
		if got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if again := Escape(got); again != got {
			t.Errorf("escaping %q twice gives %q", tc.in, again)
		}
	}
}
