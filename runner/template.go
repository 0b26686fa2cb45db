package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"
	"unicode/utf8"
)

// Limits on message templates.
const (
	// MaxTemplateSize is the largest template (--text, --subject, --body,
	// --body-file) accepted, in bytes.
	MaxTemplateSize = 16 << 10
	// MaxRenderedSize is the largest rendered message, in bytes; so is
	// any intermediate value a template function returns.
	MaxRenderedSize = 64 << 10
	// maxPrintfWidth bounds widths and precisions in printf verbs.
	maxPrintfWidth = 256
)

var errTooLarge = fmt.Errorf("result exceeds %d bytes", MaxRenderedSize)

// Render renders a message template over data with the runner's rules:
// Go text/template with missingkey=error; no range, define, block or
// template actions (so rendering always ends quickly); the functions json,
// upper, lower, trim, default, trunc, plus the text/template built-ins,
// each bounded; at most MaxTemplateSize bytes in and MaxRenderedSize out.
// Text outside {{ }} passes through as written, "$(...)" included.
func Render(text string, data Context) (string, error) {
	t, err := parseTemplate("message", text)
	if err != nil {
		return "", err
	}
	return execute(t, data)
}

func parseTemplate(name, text string) (*template.Template, error) {
	if len(text) > MaxTemplateSize {
		return nil, fmt.Errorf("template is %d bytes; the limit is %d", len(text), MaxTemplateSize)
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(funcMap).Parse(text)
	if err != nil {
		return nil, err
	}
	if len(t.Templates()) > 1 {
		return nil, errors.New("define and block are not allowed in message templates")
	}
	if t.Tree != nil && t.Root != nil {
		if err := checkNodes(t.Root); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// checkNodes rejects the actions that can loop or recurse.
func checkNodes(n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkNodes(c); err != nil {
				return err
			}
		}
	case *parse.RangeNode:
		return errors.New("range is not allowed in message templates")
	case *parse.TemplateNode:
		return errors.New("template is not allowed in message templates")
	case *parse.IfNode:
		return checkBranch(&n.BranchNode)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode)
	}
	return nil
}

func checkBranch(b *parse.BranchNode) error {
	if err := checkNodes(b.List); err != nil {
		return err
	}
	if b.ElseList != nil {
		return checkNodes(b.ElseList)
	}
	return nil
}

func execute(t *template.Template, data Context) (string, error) {
	w := &cappedBuffer{limit: MaxRenderedSize}
	if err := t.Execute(w, data); err != nil {
		if errors.Is(err, errTooLarge) {
			return "", fmt.Errorf("rendered text exceeds %d bytes", MaxRenderedSize)
		}
		return "", err
	}
	return w.String(), nil
}

// cappedBuffer fails writes past its limit.
type cappedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.limit {
		return 0, errTooLarge
	}
	return b.Buffer.Write(p)
}

// funcMap is the whole function set of message templates. The built-ins
// that can multiply their input (printf, print, println, html, js,
// urlquery) are replaced by bounded versions of themselves.
var funcMap = template.FuncMap{
	"json":  tmplJSON,
	"upper": bounded1(strings.ToUpper),
	"lower": bounded1(strings.ToLower),
	"trim":  bounded1(strings.TrimSpace),
	"default": func(def string, v any) (string, error) {
		s, err := argString(v)
		if err != nil {
			return "", err
		}
		if s == "" {
			return checkSize(def)
		}
		return s, nil
	},
	"trunc": func(n int, v any) (string, error) {
		s, err := argString(v)
		if err != nil {
			return "", err
		}
		if n < 0 {
			return "", errors.New("trunc: negative length")
		}
		if utf8.RuneCountInString(s) <= n {
			return s, nil
		}
		i := 0
		for pos := range s {
			if i == n {
				return s[:pos], nil
			}
			i++
		}
		return s, nil
	},
	"printf":   tmplPrintf,
	"print":    boundedN(fmt.Sprint),
	"println":  boundedN(fmt.Sprintln),
	"html":     boundedN(template.HTMLEscaper),
	"js":       boundedN(template.JSEscaper),
	"urlquery": boundedN(template.URLQueryEscaper),
}

// tmplJSON writes v as JSON: a string becomes a quoted, escaped JSON string,
// ready to place in a JSON body: {"text": {{ json .Text }}}.
func tmplJSON(v any) (string, error) {
	if err := checkArgs(v); err != nil {
		return "", err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return checkSize(strings.TrimSuffix(b.String(), "\n"))
}

func bounded1(f func(string) string) func(any) (string, error) {
	return func(v any) (string, error) {
		s, err := argString(v)
		if err != nil {
			return "", err
		}
		return checkSize(f(s))
	}
}

func boundedN(f func(...any) string) func(...any) (string, error) {
	return func(args ...any) (string, error) {
		if err := checkArgs(args...); err != nil {
			return "", err
		}
		return checkSize(f(args...))
	}
}

// tmplPrintf is fmt.Sprintf with bounded widths and a bounded result: it
// refuses before formatting when the result could pass MaxRenderedSize.
func tmplPrintf(format string, args ...any) (string, error) {
	if len(format) > MaxRenderedSize {
		return "", errTooLarge
	}
	verbs, err := checkFormat(format)
	if err != nil {
		return "", err
	}
	largest := 0
	for _, a := range args {
		n, err := argLen(a)
		if err != nil {
			return "", err
		}
		largest = max(largest, n)
	}
	// Every verb prints at most one argument (or an error note about one),
	// padded to at most maxPrintfWidth; % x and %+q can grow it up to
	// six times. Arguments
	// no verb uses are printed too, as %!(EXTRA ...).
	if len(format)+(verbs+len(args))*(6*largest+maxPrintfWidth+64) > MaxRenderedSize {
		return "", fmt.Errorf("printf: result could exceed %d bytes", MaxRenderedSize)
	}
	return checkSize(fmt.Sprintf(format, args...))
}

// checkFormat counts the verbs of a printf format and rejects '*' widths
// and widths or precisions above maxPrintfWidth.
func checkFormat(format string) (int, error) {
	verbs := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		verbs++
		num := 0
		for ; i < len(format); i++ {
			c := format[i]
			switch {
			case c == '*':
				return 0, errors.New("printf: '*' widths are not allowed")
			case c >= '0' && c <= '9':
				num = num*10 + int(c-'0')
				if num > maxPrintfWidth {
					return 0, fmt.Errorf("printf: widths and precisions are limited to %d", maxPrintfWidth)
				}
				continue
			case c == '.' || c == '+' || c == '-' || c == '#' || c == ' ' || c == '[' || c == ']':
				num = 0
				continue
			}
			break
		}
	}
	return verbs, nil
}

// argString converts a template value to a string, refusing oversized ones.
func argString(v any) (string, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case nil:
		s = ""
	default:
		if err := checkArgs(v); err != nil {
			return "", err
		}
		s = fmt.Sprint(v)
	}
	return checkSize(s)
}

// checkArgs refuses arguments whose printed size adds up past the limit.
func checkArgs(args ...any) error {
	total := 0
	for _, a := range args {
		n, err := argLen(a)
		if err != nil {
			return err
		}
		total += n
		if total > MaxRenderedSize {
			return errTooLarge
		}
	}
	return nil
}

// argLen is an upper bound of a value's printed size. Template values are
// strings, numbers, booleans or the (small, bounded) context structs.
func argLen(v any) (int, error) {
	switch v := v.(type) {
	case string:
		if len(v) > MaxRenderedSize {
			return 0, errTooLarge
		}
		return len(v), nil
	case Context, App, Hook, ArgoCD, *Context:
		return len(fmt.Sprint(v)), nil
	default:
		return 64, nil
	}
}

func checkSize(s string) (string, error) {
	if len(s) > MaxRenderedSize {
		return "", errTooLarge
	}
	return s, nil
}
