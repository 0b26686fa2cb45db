package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/transform"
)

const parametersHelp = `Usage: hookgen parameters [flags]

Print, as the JSON list Argo CD's UI reads, the parameters an Application
can set for the hooks declared for this directory: one map per hook with a
template, holding the hook's current parameters. (disable and enable, which
every Application has, are announced statically in plugin.yaml.) Argo CD
runs it with a reduced environment: no namespace, no revision.

Examples:
  hookgen parameters --dir apps/api
  hookgen parameters --all --dir apps/api | jq .

Flags:
`

func parametersFlags(c *dirFlags) (*pflag.FlagSet, *bool) {
	fl := c.flagSet("parameters")
	return fl, fl.Bool("all", false, "include the static parameters (disable, enable)")
}

func runParameters(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	c := &dirFlags{}
	fl, withStatic := parametersFlags(c)
	if code, ok := parseFlags("parameters", parametersHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() > 0 {
		return usageError(stderr, "parameters", fmt.Errorf("unexpected argument %q", fl.Arg(0)))
	}
	in, _, closeAll, err := buildInput(c.dir, c.configDir, env)
	if err != nil {
		fmt.Fprintf(stderr, "hookgen: %v\n", err)
		return ExitProblems
	}
	defer closeAll()
	anns, err := transform.Announce(in)
	if err != nil {
		return reportProblems(stderr, err)
	}
	if *withStatic {
		anns = append(append([]transform.Announcement(nil), transform.StaticParameters...), anns...)
	}
	if anns == nil {
		anns = []transform.Announcement{}
	}
	out, err := json.Marshal(anns)
	if err != nil {
		fmt.Fprintf(stderr, "hookgen: %v\n", err)
		return ExitProblems
	}
	stdout.Write(append(out, '\n'))
	return ExitOK
}
