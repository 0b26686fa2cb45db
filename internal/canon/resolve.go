package canon

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// YAML tags, short form.
const (
	TagStr       = "!!str"
	TagInt       = "!!int"
	TagBool      = "!!bool"
	TagFloat     = "!!float"
	TagNull      = "!!null"
	TagTimestamp = "!!timestamp"
	TagBinary    = "!!binary"
	TagMerge     = "!!merge"
	TagMap       = "!!map"
	TagSeq       = "!!seq"
)

const longTagPrefix = "tag:yaml.org,2002:"

// shortTag writes tag:yaml.org,2002:x as !!x.
func shortTag(tag string) string {
	if s, ok := strings.CutPrefix(tag, longTagPrefix); ok {
		return "!!" + s
	}
	return tag
}

// words11 holds the words go-yaml v2 resolves by lookup (resolve.go
// resolveMapList); like floatRE, it is built on first use, not at start.
var words11 = sync.OnceValue(func() map[string]any {
	m := map[string]any{}
	for v, l := range map[any][]string{
		true:  {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"},
		false: {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"},
	} {
		for _, s := range l {
			m[s] = v
		}
	}
	for _, s := range []string{"", "~", "null", "Null", "NULL"} {
		m[s] = nil
	}
	for _, s := range []string{".nan", ".NaN", ".NAN"} {
		m[s] = math.NaN()
	}
	for _, s := range []string{".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"} {
		m[s] = math.Inf(1)
	}
	for _, s := range []string{"-.inf", "-.Inf", "-.INF"} {
		m[s] = math.Inf(-1)
	}
	return m
})

var floatRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
})

// timestamp is a resolved YAML timestamp; read into an untyped value it
// stays the text it was written as.
type timestamp string

// resolve11 is go-yaml v2's resolve for a plain scalar (tag "") or one with
// an explicit tag: the tag the value resolves to and the value, one of
// nil, bool, int64, uint64, float64, string, timestamp. ok is false where
// go-yaml v2 fails ("cannot decode !!int `yes` as a !!int").
func resolve11(tag, in string) (rtag string, out any, ok bool) {
	switch tag {
	case "", TagStr, TagBool, TagInt, TagFloat, TagNull, TagTimestamp:
	default:
		return tag, in, true // any other tag: the text as it is
	}
	rtag, out = resolveValue(tag, in)
	switch tag {
	case "", rtag, TagStr:
		return rtag, out, true
	case TagFloat:
		if i, isInt := out.(int64); isInt && rtag == TagInt {
			return TagFloat, float64(i), true
		}
	}
	return rtag, out, false
}

func resolveValue(tag, in string) (string, any) {
	if tag == TagStr {
		return TagStr, in
	}
	hint := byte('N')
	if in != "" {
		hint = hintOf(in[0])
	}
	if hint == 0 {
		return TagStr, in
	}
	if v, ok := words11()[in]; ok {
		switch v.(type) {
		case nil:
			return TagNull, nil
		case bool:
			return TagBool, v
		default:
			return TagFloat, v
		}
	}
	switch hint {
	case '.':
		if f, err := strconv.ParseFloat(in, 64); err == nil {
			return TagFloat, f
		}
	case 'D', 'S':
		if tag == "" || tag == TagTimestamp {
			if isTimestamp(in) {
				return TagTimestamp, timestamp(in)
			}
		}
		plain := strings.ReplaceAll(in, "_", "")
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return TagInt, i
		}
		if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return TagInt, u
		}
		if floatRE().MatchString(plain) {
			if f, err := strconv.ParseFloat(plain, 64); err == nil {
				return TagFloat, f
			}
		}
		if b, ok := strings.CutPrefix(plain, "0b"); ok {
			if i, err := strconv.ParseInt(b, 2, 64); err == nil {
				return TagInt, i
			}
			if u, err := strconv.ParseUint(b, 2, 64); err == nil {
				return TagInt, u
			}
		} else if b, ok := strings.CutPrefix(plain, "-0b"); ok {
			if i, err := strconv.ParseInt("-"+b, 2, 64); err == nil {
				return TagInt, i
			}
		}
	}
	return TagStr, in
}

// hintOf is go-yaml v2's resolveTable: what the first byte says a plain
// scalar may be.
func hintOf(c byte) byte {
	switch {
	case c == '+' || c == '-':
		return 'S'
	case c >= '0' && c <= '9':
		return 'D'
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		return 'M'
	case c == '.':
		return '.'
	}
	return 0
}

// isTimestamp is go-yaml's parseTimestamp (the same in v2 and v3).
func isTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"} {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}

// Tag12 is the tag go-yaml v3 (YAML 1.2 core, as kyaml reads and writes
// YAML) gives a plain scalar: what hookgen's own decoder reads, and what
// its encoder compares a node's tag with to decide whether the text can
// be written plain.
func Tag12(in string) string {
	if in == "" {
		return TagNull
	}
	switch in {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return TagBool
	case "~", "null", "Null", "NULL":
		return TagNull
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return TagFloat
	}
	switch c := in[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(in, 64); err == nil {
			return TagFloat
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		if isTimestamp(in) {
			return TagTimestamp
		}
		if _, ok := Int12(in); ok {
			return TagInt
		}
		plain := strings.ReplaceAll(in, "_", "")
		if floatRE().MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return TagFloat
			}
		}
	}
	return TagStr
}

// Int12 reads an integer the way go-yaml v3 resolves one: underscores
// dropped, Go's 0x/0o/0b prefixes and a leading 0 for octal, signed or
// unsigned 64 bits. The decimal text is what a YAML 1.1 and a YAML 1.2
// reader both read as that integer.
func Int12(in string) (decimal string, ok bool) {
	plain := strings.ReplaceAll(in, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return strconv.FormatInt(i, 10), true
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return strconv.FormatUint(u, 10), true
	}
	for _, p := range []struct {
		prefix string
		base   int
	}{{"0b", 2}, {"0o", 8}} {
		if b, found := strings.CutPrefix(plain, p.prefix); found {
			if i, err := strconv.ParseInt(b, p.base, 64); err == nil {
				return strconv.FormatInt(i, 10), true
			}
			if u, err := strconv.ParseUint(b, p.base, 64); err == nil {
				return strconv.FormatUint(u, 10), true
			}
		} else if b, found := strings.CutPrefix(plain, "-"+p.prefix); found {
			if i, err := strconv.ParseInt("-"+b, p.base, 64); err == nil {
				return strconv.FormatInt(i, 10), true
			}
		}
	}
	return "", false
}

// Bool12 reads a boolean the way go-yaml v3 resolves one.
func Bool12(in string) (v, ok bool) {
	switch in {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

// NeedsQuotes reports whether the string s, written plain, would be read
// as something else than that string by a YAML 1.1 reader (Kubernetes,
// Argo CD) or a YAML 1.2 one (kyaml): yes, on, 0777, 1_000, 0o17, null.
func NeedsQuotes(s string) bool {
	if Tag12(s) != TagStr || s == "<<" { // a plain << key merges
		return true
	}
	switch _, v := resolveValue("", s); v.(type) {
	case string:
		return false
	}
	return true
}
