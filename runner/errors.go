package runner

import "fmt"

// usageError is a problem with the command line, the configuration, a
// secret or a template: exit code 2, whatever the strictness.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}
