package argoglob

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Compile compiles a pattern with the syntax and meaning Argo CD gives a
// directory source's include and exclude (github.com/gobwas/glob compiled
// with no separators, matched against the path relative to the app
// directory):
//
//   - **      any text, "/" included
//     ?          one character
//     [abc] [!abc]  one character of (not of) the list
//     [a-z] [!a-z]  one character in (not in) the range
//     {a,b}      either alternative; alternatives nest
//     \x         x itself
//
// The quirks of that syntax are kept: "]", "}" and "," outside a class or
// an alternative are plain text, and a class holds a list or one range
// (not both). What gobwas/glob cannot read (invalid UTF-8, U+FFFD), reads
// oddly (a NUL ends its pattern) or mishandles (an unclosed "{" or an
// empty alternative can make its matcher panic) is an error. The pattern becomes an RE2
// expression, which matches in linear time.
func Compile(p string) (*regexp.Regexp, error) {
	if !utf8.ValidString(p) || strings.ContainsRune(p, utf8.RuneError) {
		return nil, errors.New("not valid UTF-8 text")
	}
	if strings.IndexByte(p, 0) >= 0 {
		return nil, errors.New("a NUL character")
	}
	var b strings.Builder
	b.WriteString(`(?s)^`)
	rs := []rune(p)
	level := 0
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '{':
			if i+1 < len(rs) && (rs[i+1] == ',' || rs[i+1] == '}') {
				return nil, errors.New("an empty {alternative}")
			}
			level++
			b.WriteString("(?:")
			i++
		case r == ',' && level > 0:
			if i+1 < len(rs) && (rs[i+1] == ',' || rs[i+1] == '}') || i+1 == len(rs) {
				return nil, errors.New("an empty {alternative}")
			}
			b.WriteByte('|')
			i++
		case r == '}' && level > 0:
			level--
			b.WriteByte(')')
			i++
		case r == '?':
			b.WriteByte('.')
			i++
		case r == '*':
			i++
			if i < len(rs) && rs[i] == '*' {
				i++
			}
			b.WriteString(".*")
		case r == '[':
			class, n, err := globClass(rs[i+1:])
			if err != nil {
				return nil, err
			}
			b.WriteString(class)
			i += 1 + n
		default:
			breakers := "?*[{"
			if level > 0 {
				breakers = "?*[{},"
			}
			text, n := globText(rs[i:], breakers)
			b.WriteString(regexp.QuoteMeta(text))
			i += n
		}
	}
	if level > 0 {
		return nil, errors.New("a { without its }")
	}
	b.WriteByte('$')
	return regexp.Compile(b.String())
}

// globText reads text up to a breaker, "\" escaping the next character;
// it returns the text and the number of runes read.
func globText(rs []rune, breakers string) (string, int) {
	var out []rune
	i := 0
	escaped := false
	for ; i < len(rs); i++ {
		r := rs[i]
		if !escaped {
			if r == '\\' {
				escaped = true
				continue
			}
			if strings.ContainsRune(breakers, r) {
				break
			}
		}
		escaped = false
		out = append(out, r)
	}
	return string(out), i
}

// globClass reads a class after its "[" and returns it as an RE2 class
// and the number of runes read, the closing "]" included.
func globClass(rs []rune) (string, int, error) {
	i := 0
	not := false
	var lo, hi rune
	var chars string
	for {
		if i >= len(rs) {
			return "", 0, errors.New("unexpected end of input in a [class]")
		}
		r := rs[i]
		if !not && r == '!' && lo == 0 && chars == "" {
			not = true
			i++
			continue
		}
		if i+1 < len(rs) && rs[i+1] == '-' {
			if i+2 >= len(rs) {
				return "", 0, errors.New("unexpected end of input in a [class]")
			}
			lo, hi = r, rs[i+2]
			i += 3
		} else {
			var n int
			chars, n = globText(rs[i:], "]")
			i += n
		}
		if i >= len(rs) {
			return "", 0, errors.New("unexpected end of input in a [class]")
		}
		if rs[i] != ']' {
			return "", 0, errors.New("a [class] holds a list of characters or one range a-z, not both")
		}
		i++
		break
	}
	isRange := lo != 0 && hi != 0
	if isRange == (chars != "") {
		return "", 0, errors.New("an empty [class]")
	}
	var b strings.Builder
	b.WriteByte('[')
	if not {
		b.WriteByte('^')
	}
	if isRange {
		if hi < lo {
			return "", 0, fmt.Errorf("range %c-%c is backwards", lo, hi)
		}
		fmt.Fprintf(&b, `\x{%x}-\x{%x}`, lo, hi)
	} else {
		for _, c := range chars {
			fmt.Fprintf(&b, `\x{%x}`, c)
		}
	}
	b.WriteByte(']')
	return b.String(), i, nil
}
