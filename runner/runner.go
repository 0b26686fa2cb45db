package runner

import (
	"context"
	"fmt"
	"io"
)

// Main runs the action named by args[0] with the flags that follow, reading
// settings and secrets from environ ("KEY=value" entries) and mounted files,
// and returns the process exit code.
func Main(_ context.Context, args []string, _ []string, _, stderr io.Writer) int {
	fmt.Fprintf(stderr, "hookgen run: no actions yet (%v)\n", args)
	return 2
}
