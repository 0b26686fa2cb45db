package plugin

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

const versionHelp = `Usage: hookgen version

Print hookgen's version, the commit it was built from and the Go version
and platform it was built with. A release build has them stamped in; a
"go install" build reads them from the module and VCS information Go
embeds.

Examples:
  hookgen version
  hookgen --version

Flags:
`

func runVersion(_ context.Context, args []string, _ Env, stdout, stderr io.Writer) int {
	fl := helpOnly("version")()
	if code, ok := parseFlags("version", versionHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() > 0 {
		return usageError(stderr, "version", fmt.Errorf("unexpected argument %q", fl.Arg(0)))
	}
	v, c := buildVersion()
	fmt.Fprintf(stdout, "hookgen %s\ncommit: %s\ngo: %s %s/%s\n", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitOK
}

// buildTag is this build's version, the tag of its own image.
func buildTag() string {
	v, _ := buildVersion()
	return v
}

// buildVersion returns the version and the commit: the stamped ones, else
// what Go embedded (the module version of a "go install ...@v1.2.3", the
// VCS revision of a build in a checkout), else "dev" and "unknown".
func buildVersion() (v, c string) {
	v, c = version, commit
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v, cmp.Or(c, "unknown")
	}
	if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if c == "" {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" && modified == "true" {
			rev += " (modified)"
		}
		c = rev
	}
	return v, cmp.Or(c, "unknown")
}
