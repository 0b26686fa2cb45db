package transform

import (
	"regexp"
	"sync"
)

// lazyRegexp is a regular expression compiled on first use. Go runs every
// package's initialization at process start, so a package-level
// regexp.MustCompile is paid by every hookgen process, `hookgen --version`
// included; a lazyRegexp only by the runs that match with it.
type lazyRegexp struct {
	pattern string
	once    sync.Once
	re      *regexp.Regexp
}

// lazyRE returns a regular expression compiled when first used; the
// pattern must compile (a test compiles every one).
func lazyRE(pattern string) *lazyRegexp {
	l := &lazyRegexp{pattern: pattern}
	lazyRegexps = append(lazyRegexps, l)
	return l
}

// lazyRegexps lists every lazyRegexp, for the test.
var lazyRegexps []*lazyRegexp

func (l *lazyRegexp) get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.pattern) })
	return l.re
}

func (l *lazyRegexp) MatchString(s string) bool { return l.get().MatchString(s) }

func (l *lazyRegexp) FindStringSubmatch(s string) []string { return l.get().FindStringSubmatch(s) }

func (l *lazyRegexp) FindAllStringSubmatch(s string, n int) [][]string {
	return l.get().FindAllStringSubmatch(s, n)
}
