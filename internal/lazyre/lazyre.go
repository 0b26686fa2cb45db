package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use. Go runs every
// package's initialization at process start, so a package-level
// regexp.MustCompile is paid by every hookgen process, `hookgen --version`
// included; a Regexp only by the runs that match with it.
type Regexp struct {
	pattern string
	once    sync.Once
	re      *regexp.Regexp
}

// New returns a regular expression compiled when first used; the
// pattern must compile (a test compiles every one).
func New(pattern string) *Regexp {
	l := &Regexp{pattern: pattern}
	all = append(all, l)
	return l
}

// all lists every Regexp made with New.
var all []*Regexp

// Patterns returns the pattern of every Regexp made so far, so that a test
// linking every package can compile them all.
func Patterns() []string {
	ps := make([]string, len(all))
	for i, l := range all {
		ps[i] = l.pattern
	}
	return ps
}

// Get returns the compiled expression, compiling it on first use.
func (l *Regexp) Get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.pattern) })
	return l.re
}

// MatchString reports whether s matches.
func (l *Regexp) MatchString(s string) bool { return l.Get().MatchString(s) }

// FindStringSubmatch is regexp.Regexp's FindStringSubmatch.
func (l *Regexp) FindStringSubmatch(s string) []string { return l.Get().FindStringSubmatch(s) }

// FindAllStringSubmatch is regexp.Regexp's FindAllStringSubmatch.
func (l *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return l.Get().FindAllStringSubmatch(s, n)
}
