package plugin

import (
	"context"
	"fmt"
	"io"
)

func runGenerate(_ context.Context, _ []string, _ Env, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "hookgen generate: not built yet")
	return ExitProblems
}
