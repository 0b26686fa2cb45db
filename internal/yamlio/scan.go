package yamlio

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"
)

// A quick reader for the documents most manifests are: a block mapping of
// plain or quoted one-line scalars, block scalars (| and >), nested block
// mappings and sequences, one-line flow collections, nested or not, of
// plain scalars and quoted scalars without escapes ([a, "b"], {k: {j:
// v}}), and comments, in printable ASCII. For such a
// document it checks the syntax line by line and reads the resource's
// identity without building a tree, so a document printed as written
// costs a scan of its bytes instead of a YAML parse. Anything it does not
// know (other flow forms, anchors, tags, multi-line plain or quoted
// scalars, explicit indentation, duplicate keys, reader annotations, a
// List, ...) it leaves to the YAML parser, which also writes every error
// message: the quick reader only ever accepts. FuzzScanDoc checks that
// whatever it accepts, the parser accepts too, with the same identity.

// DocInfo is what the quick reader finds in a document.
type DocInfo struct {
	APIVersion, Kind, Name, Namespace, generateName string
}

type scanLine struct {
	indent int
	text   string // without the indentation and the line break
}

type docScanner struct {
	lines []scanLine
	keys  []string // the keys of the mappings being read, innermost last
	i     int
	nodes int
	lim   Limits
	info  DocInfo
	ok    bool
}

// scanners keeps docScanners, whose lines and keys are reused from one
// document to the next: a document's scan then allocates nothing but the
// copy of its text, and a run over many small files touches no new
// memory for them. A scanner that grew past maxPooledLines is left to the
// collector.
var scanners = sync.Pool{New: func() any { return new(docScanner) }}

const maxPooledLines = 1 << 12

// ScanDoc reads a document of the known form, or reports false.
func ScanDoc(text []byte, lim Limits) (DocInfo, bool) {
	s := scanners.Get().(*docScanner)
	defer func() {
		if cap(s.lines) <= maxPooledLines {
			*s = docScanner{lines: s.lines[:0], keys: s.keys[:0]}
			scanners.Put(s)
		}
	}()
	*s = docScanner{lines: s.lines[:0], keys: s.keys[:0], lim: lim, ok: true}
	if !s.split(text) {
		return DocInfo{}, false
	}
	s.skip()
	if s.i >= len(s.lines) || s.lines[s.i].indent != 0 {
		return DocInfo{}, false
	}
	s.mapping(0, 1, "")
	s.skip()
	if !s.ok || s.i < len(s.lines) || s.info.APIVersion == "" || s.info.Kind == "" ||
		strings.HasSuffix(s.info.Kind, "List") || (s.info.Name == "" && s.info.generateName == "") {
		return DocInfo{}, false
	}
	return s.info, true
}

// split cuts the text into lines, refusing bytes outside printable ASCII.
// The lines are slices of one copy of the text.
func (s *docScanner) split(text []byte) bool {
	if !printableLines(text) {
		return false // tabs, CR, control characters, non-ASCII
	}
	str := string(text)
	s.lines = slices.Grow(s.lines[:0], strings.Count(str, "\n")+1)
	for {
		line, rest, _ := strings.Cut(str, "\n")
		n := 0
		for n < len(line) && line[n] == ' ' {
			n++
		}
		s.lines = append(s.lines, scanLine{indent: n, text: line[n:]})
		str = rest
		if len(str) == 0 {
			break
		}
	}
	return true
}

// printableLines reports whether text holds only printable ASCII and
// line breaks. It tests eight bytes at a time: a word with a byte under
// 0x20 (a line break among them) or over 0x7e is looked at byte by byte.
func printableLines(text []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(text); i += 8 {
		w := binary.LittleEndian.Uint64(text[i:])
		under := (w - 0x20*ones) &^ w & highs // some byte < 0x20
		over := ((w + ones) | w) & highs      // some byte > 0x7e
		if under|over == 0 {
			continue
		}
		if !printableBytes(text[i : i+8]) {
			return false
		}
	}
	return printableBytes(text[i:])
}

func printableBytes(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && c != '\n' {
			return false
		}
	}
	return true
}

// blank reports a line that holds nothing: empty, spaces or a comment.
func (l scanLine) blank() bool { return l.text == "" || l.text[0] == '#' }

// skip moves past blank and comment lines.
func (s *docScanner) skip() {
	for s.i < len(s.lines) && s.lines[s.i].blank() {
		s.i++
	}
}

func (s *docScanner) fail() { s.ok = false }

// count counts nodes and nesting against the limits, with room to spare:
// near a limit, the parser decides.
func (s *docScanner) count(depth int) {
	s.nodes++
	if 2*s.nodes > s.lim.MaxNodes || depth+1 > s.lim.MaxDepth {
		s.fail()
	}
}

// mapping reads a block mapping whose keys are at column n. The first
// key may be on a line that began with "- " (its text then starts at n).
// path is where the mapping is: "" for the document, "metadata",
// "metadata.annotations".
func (s *docScanner) mapping(n, depth int, path string) {
	s.count(depth)
	keys := len(s.keys)
	defer func() { s.keys = s.keys[:keys] }()
	for s.ok {
		s.skip()
		if s.i >= len(s.lines) || s.lines[s.i].indent < n {
			return
		}
		l := s.lines[s.i]
		if l.indent > n || l.text[0] == '-' && (len(l.text) == 1 || l.text[1] == ' ') {
			s.fail()
			return
		}
		key, rest, ok := splitKey(l.text)
		if !ok {
			s.fail()
			return
		}
		if !s.key(keys, path, key, depth+1) {
			return
		}
		s.i++
		v, scalar := s.value(rest, n, depth+1, childPath(path, key), true)
		if !s.entry(path, key, v, scalar) {
			return
		}
	}
}

// key takes the next key of a mapping at path (block or flow), whose keys
// so far are s.keys[from:], counting it; a duplicate key (the parser says so) or an annotation kustomize's
// readers add (removed on the parser's path) is the parser's.
func (s *docScanner) key(from int, path, key string, depth int) bool {
	if slices.Contains(s.keys[from:], key) || path == "metadata.annotations" && IsReaderAnnotation(key) {
		s.fail()
		return false
	}
	s.keys = append(s.keys, key)
	s.count(depth)
	return true
}

// entry records what a mapping at path holds under key: a scalar's value
// when it is part of the identity. An identity that is not a scalar is
// the parser's, with its message.
func (s *docScanner) entry(path, key, v string, scalar bool) bool {
	if scalar {
		s.record(path, key, v)
		return true
	}
	if isIdentity(path, key) {
		s.fail()
		return false
	}
	return true
}

func childPath(path, key string) string {
	switch {
	case path == "" && key == "metadata":
		return "metadata"
	case path == "metadata" && key == "annotations":
		return "metadata.annotations"
	}
	return "-"
}

func isIdentity(path, key string) bool {
	switch path {
	case "":
		return key == "apiVersion" || key == "kind"
	case "metadata":
		return key == "name" || key == "namespace" || key == "generateName"
	}
	return false
}

func (s *docScanner) record(path, key, v string) {
	switch {
	case path == "" && key == "apiVersion":
		s.info.APIVersion = v
	case path == "" && key == "kind":
		s.info.Kind = v
	case path == "metadata" && key == "name":
		s.info.Name = v
	case path == "metadata" && key == "namespace":
		s.info.Namespace = v
	case path == "metadata" && key == "generateName":
		s.info.generateName = v
	}
}

// value reads what follows "key:" (inMap) or "- " on a line of a block at
// column n, and the lines that belong to it. It returns the scalar's text
// and true for a one-line scalar.
func (s *docScanner) value(rest string, n, depth int, path string, inMap bool) (string, bool) {
	rest = strings.TrimLeft(rest, " ")
	if rest == "" || rest[0] == '#' {
		// A nested block, or null.
		s.skip()
		if s.i < len(s.lines) {
			l := s.lines[s.i]
			isSeq := l.text[0] == '-' && (len(l.text) == 1 || l.text[1] == ' ')
			switch {
			case l.indent > n && isSeq:
				s.sequence(l.indent, depth)
				return "", false
			case l.indent > n:
				s.mapping(l.indent, depth, path)
				return "", false
			case l.indent == n && isSeq && inMap:
				s.sequence(n, depth) // a compact sequence as a mapping value
				return "", false
			}
		}
		s.count(depth)
		return "", true // null
	}
	s.count(depth)
	switch rest[0] {
	case '|', '>':
		s.blockScalar(rest, n)
		return "", false
	case '"':
		v, ok := doubleQuoted(rest)
		if !ok {
			s.fail()
		}
		s.endOfScalar(n)
		return v, true
	case '\'':
		v, ok := singleQuoted(rest)
		if !ok {
			s.fail()
		}
		s.endOfScalar(n)
		return v, true
	case '{', '[':
		if !s.flow(rest, depth, path) {
			s.fail()
		}
		s.endOfScalar(n)
		return "", false
	case '&', '*', '!', '%', '@', '`', ',', '?', ':', ']', '}':
		s.fail()
		return "", false
	case '-':
		if len(rest) == 1 || rest[1] == ' ' {
			s.fail()
			return "", false
		}
	}
	v, ok := scanPlain(rest)
	if !ok {
		s.fail()
	}
	s.endOfScalar(n)
	return v, true
}

// maxKeyLen stays under YAML's bound on an implicit key (1,024
// characters), past which the parser refuses the mapping.
const maxKeyLen = 1000

// keyLen is the length of the plain key of the usual characters t
// starts with.
func keyLen(t string) int {
	i := 0
	for i < len(t) {
		c := t[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '/' || c == '$' || (c == '-' && i > 0) {
			i++
			continue
		}
		break
	}
	return i
}

// endOfScalar checks that nothing continues a one-line scalar: the next
// line that holds something is not indented further than its block.
func (s *docScanner) endOfScalar(n int) {
	s.skip()
	if s.i < len(s.lines) && s.lines[s.i].indent > n {
		s.fail() // a multi-line scalar, or an error
	}
}

// sequence reads a block sequence whose "- " are at column n.
func (s *docScanner) sequence(n, depth int) {
	s.count(depth)
	for s.ok {
		s.skip()
		if s.i >= len(s.lines) || s.lines[s.i].indent < n {
			return
		}
		l := s.lines[s.i]
		if l.indent > n {
			s.fail()
			return
		}
		if l.text[0] != '-' || len(l.text) > 1 && l.text[1] != ' ' {
			return // the block around goes on
		}
		item := ""
		if len(l.text) > 1 {
			item = strings.TrimLeft(l.text[2:], " ")
		}
		col := n + (len(l.text) - len(item))
		if item != "" && item[0] != '#' {
			if _, _, isKey := splitKey(item); isKey {
				// A mapping that starts on the "- " line, at column col.
				s.lines[s.i] = scanLine{indent: col, text: item}
				s.mapping(col, depth+1, "-")
				continue
			}
			if item[0] == '-' && (len(item) == 1 || item[1] == ' ') {
				s.fail() // a sequence in a sequence on one line
				return
			}
		}
		s.i++
		s.value(item, n, depth+1, "-", false)
	}
}

// blockScalar skips a block scalar's lines after its header.
func (s *docScanner) blockScalar(header string, n int) {
	h := header[1:]
	if len(h) > 0 && (h[0] == '-' || h[0] == '+') {
		h = h[1:]
	}
	if t := strings.TrimLeft(h, " "); h != "" && (h[0] != ' ' || t != "" && t[0] != '#') {
		s.fail() // an indentation indicator, or text after the header
		return
	}
	content := 0
	for ; s.i < len(s.lines); s.i++ {
		l := s.lines[s.i]
		if l.text == "" {
			if content == 0 && l.indent > 0 {
				s.fail() // leading spaces-only lines: the parser's rules
				return
			}
			continue
		}
		if l.indent <= n {
			return
		}
		if content == 0 {
			content = l.indent
		} else if l.indent < content {
			s.fail()
			return
		}
	}
}

// splitKey splits "key: rest" or "key:" for a plain key of the usual
// characters.
func splitKey(t string) (key, rest string, ok bool) {
	i := keyLen(t)
	if i == 0 || i == len(t) || t[i] != ':' || i > maxKeyLen {
		return "", "", false
	}
	if i+1 < len(t) && t[i+1] != ' ' {
		return "", "", false
	}
	return t[:i], t[i+1:], true
}

// scanPlain reads a one-line plain scalar and an optional comment.
func scanPlain(t string) (string, bool) {
	if i := strings.Index(t, " #"); i >= 0 {
		t = t[:i]
	}
	t = strings.TrimRight(t, " ")
	if t == "" || strings.Contains(t, ": ") || t[len(t)-1] == ':' {
		return "", false
	}
	return t, true
}

// doubleQuoted reads a one-line double-quoted scalar without escapes
// other than \" and \\, and an optional comment. A scalar with no
// backslash is its text between the quotes, found with two byte searches.
func doubleQuoted(t string) (string, bool) {
	if end := strings.IndexByte(t[1:], '"') + 1; end > 0 && strings.IndexByte(t[1:end], '\\') < 0 {
		return t[1:end], afterQuoted(t[end+1:])
	}
	b := make([]byte, 0, len(t))
	for i := 1; i < len(t); i++ {
		switch t[i] {
		case '\\':
			if i+1 < len(t) && (t[i+1] == '"' || t[i+1] == '\\') {
				b = append(b, t[i+1])
				i++
				continue
			}
			return "", false // other escapes: the parser's
		case '"':
			return string(b), afterQuoted(t[i+1:])
		}
		b = append(b, t[i])
	}
	return "", false // the scalar goes on over lines
}

// singleQuoted reads a one-line single-quoted scalar and an optional
// comment.
func singleQuoted(t string) (string, bool) {
	if end := strings.IndexByte(t[1:], '\'') + 1; end > 0 && (end+1 == len(t) || t[end+1] != '\'') {
		return t[1:end], afterQuoted(t[end+1:])
	}
	b := make([]byte, 0, len(t))
	for i := 1; i < len(t); i++ {
		if t[i] == '\'' {
			if i+1 < len(t) && t[i+1] == '\'' {
				b = append(b, '\'')
				i++
				continue
			}
			return string(b), afterQuoted(t[i+1:])
		}
		b = append(b, t[i])
	}
	return "", false
}

// afterQuoted accepts what may follow a closing quote: spaces and a
// comment.
func afterQuoted(t string) bool {
	if t == "" {
		return true
	}
	if t[0] != ' ' {
		return false
	}
	t = strings.TrimLeft(t, " ")
	return t == "" || t[0] == '#'
}

// readerAnnotationPrefixes are annotations kustomize's readers add to track
// files; they must never reach a cluster.
var readerAnnotationPrefixes = []string{"config.kubernetes.io/", "internal.config.kubernetes.io/"}

// IsReaderAnnotation reports whether key is one of the annotations
// kustomize's readers add.
func IsReaderAnnotation(key string) bool {
	for _, p := range readerAnnotationPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}
