package transform

import (
	"strconv"
	"strings"
)

// Kubernetes, Argo CD and kubectl read YAML as YAML 1.1, where a plain
// `yes`, `on`, `0777` or `1_000` is not a string. A string with such a
// value must stay quoted in the output. yaml11NonString mirrors the
// resolver of go-yaml v2, which those tools use, without its cost (a full
// parse per scalar). Timestamps stay strings there and here.

var yaml11Words = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
	"~": true, "null": true, "Null": true, "NULL": true,
	".nan": true, ".NaN": true, ".NAN": true,
	".inf": true, ".Inf": true, ".INF": true, "+.inf": true, "+.Inf": true, "+.INF": true,
	"-.inf": true, "-.Inf": true, "-.INF": true,
}

var yaml11Float = lazyRE(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// yaml11NonString reports whether a plain scalar v would not be read as a
// string by a YAML 1.1 parser.
func yaml11NonString(v string) bool {
	if v == "" || yaml11Words[v] {
		return true // "" is null
	}
	switch c := v[0]; {
	case c == '.':
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case c >= '0' && c <= '9', c == '+', c == '-':
		plain := strings.ReplaceAll(v, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return true
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return true
		}
		if yaml11Float.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return true
			}
		}
		if b, ok := strings.CutPrefix(plain, "0b"); ok {
			if _, err := strconv.ParseUint(b, 2, 64); err == nil {
				return true
			}
		} else if b, ok := strings.CutPrefix(plain, "-0b"); ok {
			if _, err := strconv.ParseInt("-"+b, 2, 64); err == nil {
				return true
			}
		}
	}
	return false
}
