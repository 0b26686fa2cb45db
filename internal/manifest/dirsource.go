package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	utf16pkg "unicode/utf16"
	"unicode/utf8"

	"github.com/hookgen/hookgen/internal/canon"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// This file reads a plain app directory's files the way Argo CD's
// directory source does (argo-cd v2.14.21, reposerver/repository:
// findManifests, getObjsFromYAMLOrJson, splitYAMLOrJSON, which decode
// with k8s.io/apimachinery's YAMLOrJSONDecoder and unstructured JSON
// scheme), so that adding hookgen to a directory app changes none of its
// objects:
//
//   - A file's bytes are read as UTF-8 text: a UTF-8 byte order mark is
//     dropped, UTF-16 text with a byte order mark is converted, and an
//     invalid byte reads as U+FFFD.
//   - *.json: exactly one JSON value, an object with a kind; anything
//     else is an error (no file is ignored).
//   - *.yaml, *.yml: a stream of JSON values when the text starts with
//     "{", else YAML documents cut at lines that start with "---" (a
//     line starting "---" followed by anything but spaces or a comment is
//     an error); in a document, text after a "..." line is not read; a
//     null or empty document is skipped; every other document must be a
//     mapping with a string kind. At the first document that is not, the
//     file is an error if an object came before it, or if its text holds
//     "apiVersion:", "kind:" and "metadata:"; otherwise the whole file is
//     ignored as an unrelated YAML file.

// argoText returns a file's content as the UTF-8 text Argo CD reads
// (github.com/TomOnTime/utfutil with UTF-8 as the default).
func argoText(data []byte) []byte {
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		data = data[3:]
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		le := data[0] == 0xff
		data = data[2:]
		u := make([]uint16, 0, len(data)/2)
		for i := 0; i+1 < len(data); i += 2 {
			if le {
				u = append(u, uint16(data[i])|uint16(data[i+1])<<8)
			} else {
				u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
			}
		}
		rs := utf16pkg.Decode(u)
		if len(data)%2 == 1 {
			rs = append(rs, utf8.RuneError)
		}
		return []byte(string(rs))
	}
	if utf8.Valid(data) {
		return data
	}
	var b bytes.Buffer
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.Write(data[:n])
		}
		data = data[n:]
	}
	return b.Bytes()
}

// resourceLike is Argo CD's test of whether a YAML file it cannot decode
// is a broken manifest (an error) or an unrelated file (ignored). It reads
// the raw text, as Argo CD does: the words may be anywhere, in a comment
// or a value.
func resourceLike(text []byte) bool {
	return bytes.Contains(text, []byte("apiVersion:")) &&
		bytes.Contains(text, []byte("kind:")) &&
		bytes.Contains(text, []byte("metadata:"))
}

// jsonStream reports whether a YAML file is read as a stream of JSON
// values: its first non-space character, within the first 4096 bytes
// (the decoder's peek), is "{".
func jsonStream(text []byte) bool {
	head := text[:min(len(text), 4096)]
	return bytes.HasPrefix(bytes.TrimLeftFunc(head, unicode.IsSpace), []byte("{"))
}

// lineAt returns the 1-based line of a byte offset.
func lineAt(text []byte, off int64) int {
	off = max(0, min(off, int64(len(text))))
	return 1 + bytes.Count(text[:off], []byte("\n"))
}

// jsonChunks cuts a stream of JSON values into chunks, one per value. It
// stops at the first value that is not valid JSON and returns its
// problem.
func jsonChunks(file string, text []byte, one bool) ([]chunk, *problem.Problem) {
	dec := json.NewDecoder(bytes.NewReader(text))
	var out []chunk
	for {
		start := dec.InputOffset()
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) && !one {
			return out, nil
		}
		if err != nil {
			p := jsonProblem(file, text, dec.InputOffset(), err)
			return out, &p
		}
		// The value's first byte is after the spaces the decoder skipped.
		from := start + int64(len(text[start:])-len(bytes.TrimLeft(text[start:], " \t\r\n")))
		out = append(out, chunk{Line: lineAt(text, from), Text: raw, Reencode: true})
		if one {
			if dec.More() {
				p := problem.Problem{Pos: problem.Pos{File: file, Line: lineAt(text, dec.InputOffset())}, Msg: "more than one JSON value: Argo CD reads exactly one object from a .json file"}
				return out, &p
			}
			return out, nil
		}
	}
}

func jsonProblem(file string, text []byte, off int64, err error) problem.Problem {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	msg := err.Error()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "unexpected end of the file"
	}
	return problem.Problem{Pos: problem.Pos{File: file, Line: lineAt(text, off)}, Msg: "invalid JSON: " + msg}
}

// YamlChunks cuts a YAML stream into documents as Kubernetes' YAMLReader
// does: at lines that start with "---" followed by nothing but spaces or a
// comment. A line that starts with "---" followed by anything else is an
// error that ends the reading. Empty documents are dropped; text after a
// "..." line in a document is dropped (the decoder reads one document of
// it), and a "..." line before any content is an error, as it is to
// sigs.k8s.io/yaml.
func YamlChunks(file string, text []byte) ([]chunk, *problem.Problem) {
	var out []chunk
	cur := chunk{Line: 1}
	start, end := 0, -1 // end: where a "..." line cut the document
	line := 1
	flush := func(stop int) {
		if end >= 0 {
			stop = end
		}
		if stop > start {
			cur.Text = text[start:stop]
			out = append(out, cur)
		}
	}
	for i := 0; i < len(text); {
		j := bytes.IndexByte(text[i:], '\n')
		next := len(text)
		if j >= 0 {
			next = i + j + 1
		}
		l := text[i:next]
		switch {
		case bytes.HasPrefix(l, []byte("---")):
			if rest := bytes.TrimSpace(l[3:]); len(rest) > 0 && rest[0] != '#' {
				return out, &problem.Problem{Pos: problem.Pos{File: file, Line: line}, Msg: fmt.Sprintf("invalid YAML: document separator %q: Kubernetes allows only spaces or a comment after ---", strings.TrimRight(string(l), "\r\n"))}
			}
			flush(i)
			cur, start, end = chunk{Line: line + 1}, next, -1
		case end >= 0:
		case isMarker(l, "..."):
			if firstContent(text[start:i]) == 0 {
				// sigs.k8s.io/yaml finds no node before the marker.
				return out, &problem.Problem{Pos: problem.Pos{File: file, Line: line}, Msg: "invalid YAML: a document end marker (...) before any content"}
			}
			end = i
		case len(l) > 0 && l[0] == '%':
			cur.Reencode = true
		}
		i = next
		line++
	}
	flush(len(text))
	return out, nil
}

// argoFailure says why Argo CD cannot decode a document into an object,
// or "" when it can: the document must be a mapping whose kind is a
// non-empty string and whose apiVersion, when a string, is "version" or
// "group/version".
func argoFailure(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return fmt.Sprintf("not a Kubernetes resource (found %s, not a mapping with apiVersion and kind)", yamlio.KindName(n))
	}
	str := func(key string) (string, bool) {
		v := yamlio.MapGet(n, key)
		for v != nil && v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		if v == nil || v.Kind != yaml.ScalarNode {
			return "", false
		}
		s, err := canon.Scalar(v)
		if err != nil {
			return "", false
		}
		str, ok := s.(string)
		return str, ok
	}
	if kind, ok := str("kind"); !ok || kind == "" {
		return "not a Kubernetes resource: kind is missing or not a string"
	}
	if api, ok := str("apiVersion"); ok && strings.Count(api, "/") > 1 {
		return fmt.Sprintf("apiVersion %q is not group/version", api)
	}
	return ""
}

// FastKindOK reports whether the quick reader's identity is one Argo CD
// surely decodes: a kind that is a plain word read as a string under YAML
// 1.1, and an apiVersion with at most one "/". Anything else goes to the
// parser, which decides as Argo CD does.
func FastKindOK(info yamlio.DocInfo) bool {
	if strings.Count(info.APIVersion, "/") > 1 {
		return false
	}
	k := info.Kind
	if k == "" || k[0] < 'A' || k[0] > 'Z' {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	if len(k) > 5 {
		return true // longer than every YAML 1.1 word below
	}
	for _, w := range []string{"y", "n", "yes", "no", "on", "off", "true", "false", "null"} {
		if strings.EqualFold(k, w) {
			return false
		}
	}
	return true
}
