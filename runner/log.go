package runner

import (
	"fmt"
	"io"
	"sync"
)

// logger writes human-readable lines to stderr, one call one line, with
// every secret redacted.
type logger struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	red    *redactor
}

func (l *logger) printf(format string, args ...any) {
	line := l.clean(fmt.Sprintf(format, args...))
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, l.prefix+line+"\n")
}

// clean makes s safe for one log line: redacted, flattened, redacted again
// (flattening could join the characters of a secret written with CR/LF).
func (l *logger) clean(s string) string {
	return l.red.redact(oneLine(l.red.redact(s)))
}

// describe turns an error into log text without any secret.
func (l *logger) describe(err error) string {
	return l.clean(err.Error())
}
