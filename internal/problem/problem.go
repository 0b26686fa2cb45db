package problem

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/inert"
)

// Pos is a position in an input file: the path relative to the repository
// root (or to the config directory, for platform files), a 1-based line and
// a 1-based column. A zero Line means "the whole file".
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	default:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
}

// Problem is one thing wrong with the input. Its message names what is wrong
// and what to do; it never contains a secret value.
type Problem struct {
	Pos  Pos
	Hook string // the hook the problem belongs to, if any
	Msg  string
}

func (p Problem) Error() string {
	var b strings.Builder
	if s := p.Pos.String(); s != "" {
		b.WriteString(inert.Escape(s))
		b.WriteString(": ")
	}
	if p.Hook != "" {
		fmt.Fprintf(&b, "hook %q: ", p.Hook)
	}
	b.WriteString(inert.Escape(p.Msg))
	return b.String()
}

// Problems is every problem found in one run, in a stable order. It is the
// error type transform returns for bad input.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted returns the problems ordered by file, line, column, hook and message,
// without duplicates.
func (ps Problems) Sorted() Problems {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Hook, b.Hook),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	return slices.Compact(out)
}

// problems collects problems while a run goes on.
type Collector struct {
	List Problems
	// secrets are literal credentials found in the input: no message
	// repeats them, whichever check wrote it.
	secrets []string
}

// secret registers a literal credential found in the input, and the
// pieces that identify it on their own (the value of a --flag=value, the
// credentials of a "Header: Scheme value").
func (ps *Collector) Secret(v string) {
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) >= 4 && !slices.Contains(ps.secrets, s) {
			ps.secrets = append(ps.secrets, s)
		}
	}
	add(v)
	if _, after, ok := strings.Cut(v, "="); ok {
		add(after)
	}
	if _, after, ok := strings.Cut(v, ":"); ok {
		add(after)
		if _, cred, ok := strings.Cut(strings.TrimSpace(after), " "); ok {
			add(cred)
		}
	}
	// Longest first, so a secret is replaced whole before its pieces.
	slices.SortStableFunc(ps.secrets, func(a, b string) int { return len(b) - len(a) })
}

// clean returns p with the registered secrets redacted and control
// characters escaped (the hook name is printed quoted).
func (ps *Collector) clean(p Problem) Problem {
	for _, s := range ps.secrets {
		p.Msg = strings.ReplaceAll(p.Msg, s, "[redacted]")
		p.Hook = strings.ReplaceAll(p.Hook, s, "[redacted]")
	}
	p.Msg = inert.Escape(p.Msg)
	p.Pos.File = inert.Escape(p.Pos.File)
	return p
}

// Add records a problem at pos, for hook if it belongs to one.
func (ps *Collector) Add(pos Pos, hook, format string, args ...any) {
	ps.List = append(ps.List, Problem{Pos: pos, Hook: hook, Msg: fmt.Sprintf(format, args...)})
}

// AddErr records a problem as it is.
func (ps *Collector) AddErr(p Problem) { ps.List = append(ps.List, p) }

// Merge adds what another collector recorded, problems and secrets, as
// if it had been recorded here (problems are reported sorted).
func (ps *Collector) Merge(o *Collector) {
	ps.List = append(ps.List, o.List...)
	for _, s := range o.secrets {
		ps.Secret(s)
	}
}

// Empty reports whether no problem was recorded.
func (ps *Collector) Empty() bool { return len(ps.List) == 0 }

// err returns the collected problems as an error, or nil.
func (ps *Collector) Err() error {
	if len(ps.List) == 0 {
		return nil
	}
	out := make(Problems, len(ps.List))
	for i, p := range ps.List {
		out[i] = ps.clean(p)
	}
	return out.Sorted()
}
