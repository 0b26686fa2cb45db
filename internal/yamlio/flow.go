package yamlio

import "strings"

// flow reads a one-line flow collection ([a, b], {k: v}, nested or not)
// of plain scalars of the usual characters and quoted scalars without
// escapes, and an optional comment after it, recording the identity it
// holds (metadata: {name: x}). Empty items, keys that are not plain,
// collections over several lines and every other flow form are the
// parser's.
func (s *docScanner) flow(t string, depth int, path string) bool {
	rest, ok := s.flowCollection(t, depth, path)
	return ok && s.ok && afterQuoted(rest)
}

// flowCollection reads the collection t starts with; it returns the text
// after it.
func (s *docScanner) flowCollection(t string, depth int, path string) (string, bool) {
	if depth > s.lim.MaxDepth {
		return "", false
	}
	isMap, closing := t[0] == '{', byte(']')
	if isMap {
		closing = '}'
	}
	t = strings.TrimLeft(t[1:], " ")
	if t != "" && t[0] == closing {
		return t[1:], true
	}
	keys := len(s.keys)
	defer func() { s.keys = s.keys[:keys] }()
	for s.ok {
		key, at := "", "-"
		if isMap {
			i := keyLen(t)
			if i == 0 || i > maxKeyLen || !strings.HasPrefix(t[i:], ": ") {
				return "", false
			}
			key = t[:i]
			if !s.key(keys, path, key, depth+1) {
				return "", false
			}
			at = childPath(path, key)
			t = strings.TrimLeft(t[i+2:], " ")
		}
		v, scalar, rest, ok := s.flowItem(t, depth+1, at)
		if !ok {
			return "", false
		}
		if isMap && !s.entry(path, key, v, scalar) {
			return "", false
		}
		t = strings.TrimLeft(rest, " ")
		switch {
		case t == "":
			return "", false // it goes on over lines
		case t[0] == closing:
			return t[1:], true
		case t[0] != ',':
			return "", false
		}
		t = strings.TrimLeft(t[1:], " ")
		if t == "" || t[0] == ',' || t[0] == closing {
			return "", false // an empty item, or a trailing comma
		}
	}
	return "", false
}

// flowItem reads one item of a flow collection: a collection, a quoted
// scalar without escapes, or a plain scalar of the usual characters. It
// returns a scalar's value and the text after the item.
func (s *docScanner) flowItem(t string, depth int, path string) (v string, scalar bool, rest string, ok bool) {
	if t == "" {
		return "", false, "", false
	}
	s.count(depth)
	switch q := t[0]; q {
	case '{', '[':
		rest, ok := s.flowCollection(t, depth, path)
		return "", false, rest, ok
	case '"', '\'':
		end := strings.IndexByte(t[1:], q) + 1
		if end == 0 || q == '"' && strings.IndexByte(t[1:end], '\\') >= 0 || q == '\'' && end+1 < len(t) && t[end+1] == '\'' {
			return "", false, "", false // escapes, a doubled quote, or more lines
		}
		return t[1:end], true, t[end+1:], true
	}
	i := strings.IndexAny(t, ",]}")
	if i < 0 {
		i = len(t)
	}
	v = strings.TrimRight(t[:i], " ")
	if !flowPlain(v) {
		return "", false, "", false
	}
	return v, true, t[i:], true
}

// flowKey accepts a key of a flow mapping: the characters splitKey
// accepts.
func flowKey(k string) bool { return k != "" && keyLen(k) == len(k) }

// flowPlain accepts a plain scalar inside a flow collection made of
// letters, digits and - _ . / = + ~ $, not starting with "-" alone.
func flowPlain(v string) bool {
	if v == "" || v == "-" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		switch c {
		case '-', '_', '.', '/', '=', '+', '~', '$':
			continue
		}
		return false
	}
	return true
}
