package plugin

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hookgen/hookgen/transform"
)

const renderHelp = `Usage: hookgen render [flags] [DIR]

Print what Argo CD would receive from "hookgen generate" for the
application in DIR (default: the working directory): its own manifests,
then the generated hook Jobs in the order Argo CD runs them. For the same
inputs the bytes are exactly generate's.

hookgen reads the repository the way Argo CD hands it over: from its root,
which is the nearest directory upwards holding .git (a directory, or the
file of a worktree), else DIR itself; --repo-root says otherwise. Argo CD's
environment comes from the flags; what they leave out gets a stand-in:
the Application's name is DIR's name, its namespace that name, the
revision forty zeros, the target revision HEAD.

On a terminal the YAML is lightly coloured (--color auto); NO_COLOR turns
that off.

Examples:
  hookgen render apps/api
  hookgen render --app-name api --namespace api-prod --revision "$(git rev-parse HEAD)" apps/api
  hookgen render --param disable=smoke --param hook.migrate.image=ghcr.io/acme/api:1.9.0 apps/api
  hookgen render --hooks-only --env TEAM=payments apps/api | kubectl apply --dry-run=server -f -

Flags:
`

type renderCmd struct {
	local     localFlags
	hooksOnly bool
	color     string
}

func (c *renderCmd) flagSet() *pflag.FlagSet {
	fl := pflag.NewFlagSet("render", pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.SortFlags = false
	c.local.add(fl)
	fl.BoolVar(&c.hooksOnly, "hooks-only", false, "print only the generated hook Jobs")
	fl.StringVar(&c.color, "color", "auto", "colour the YAML: auto (on a terminal), always or never")
	fl.BoolP("help", "h", false, "show this help")
	return fl
}

func runRender(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	c := &renderCmd{}
	fl := c.flagSet()
	if code, ok := parseFlags("render", renderHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	color, err := useColor(c.color, stdout, env)
	if err != nil {
		return usageError(stderr, "render", err)
	}
	run, code, ok := c.local.open("render", fl.Args(), env, stderr, nil)
	if !ok {
		return code
	}
	defer run.close()
	res, err := transform.Run(run.in)
	if err != nil {
		return run.printProblems(stderr, err)
	}
	if c.hooksOnly {
		res = &transform.Result{Jobs: res.Jobs}
	}
	var buf bytes.Buffer
	if _, err := res.WriteTo(&buf); err != nil {
		fmt.Fprintf(stderr, "hookgen render: %v\n", err)
		return ExitProblems
	}
	out := buf.Bytes()
	if color {
		out = colorYAML(out)
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "hookgen render: write output: %v\n", err)
		return ExitProblems
	}
	return ExitOK
}

// useColor decides whether to colour output written to w.
func useColor(mode string, w io.Writer, env Env) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if _, off := env["NO_COLOR"]; off || env["TERM"] == "dumb" {
			return false, nil
		}
		return isTerminal(w), nil
	}
	return false, fmt.Errorf("--color %q: want auto, always or never", mode)
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// ANSI styles, kept few and faint so that the YAML stays the thing to read.
const (
	ansiReset  = "\x1b[0m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
	ansiKey    = "\x1b[36m"   // cyan
	ansiHook   = "\x1b[1;33m" // bold yellow: Argo CD's hook annotations
	ansiString = "\x1b[32m"   // green
)

// colorYAML colours a YAML stream line by line: document separators bold,
// comments dim, keys cyan, Argo CD's hook annotations yellow. Text inside
// block scalars is left as it is. Only escape codes are added: without
// them the bytes are the input's.
func colorYAML(in []byte) []byte {
	var b bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(in))
	sc.Buffer(make([]byte, 0, 64<<10), len(in)+1)
	block := -1 // indentation of the key that opened a block scalar
	for sc.Scan() {
		line := sc.Text()
		indent := len(line) - len(strings.TrimLeft(line, " "))
		trimmed := strings.TrimSpace(line)
		if block >= 0 {
			if trimmed == "" || indent > block {
				b.WriteString(line + "\n")
				continue
			}
			block = -1
		}
		switch {
		case line == "---" || line == "...":
			b.WriteString(ansiBold + line + ansiReset + "\n")
			continue
		case strings.HasPrefix(trimmed, "#"):
			b.WriteString(ansiDim + line + ansiReset + "\n")
			continue
		}
		rest := line[indent:]
		prefix := line[:indent]
		for strings.HasPrefix(rest, "- ") {
			prefix += "- "
			rest = rest[2:]
		}
		key, value, ok := splitKey(rest)
		if !ok {
			b.WriteString(line + "\n")
			continue
		}
		style := ansiKey
		if strings.HasPrefix(key, "argocd.argoproj.io/") {
			style = ansiHook
		}
		b.WriteString(prefix + style + key + ansiReset + ":")
		if v := strings.TrimSpace(value); strings.HasPrefix(v, "|") || strings.HasPrefix(v, ">") {
			block = len(prefix)
			b.WriteString(value)
		} else if v != "" && (v[0] == '"' || v[0] == '\'') {
			b.WriteString(value[:len(value)-len(strings.TrimLeft(value, " "))] + ansiString + v + ansiReset)
		} else {
			b.WriteString(value)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// splitKey splits "key: value" (or "key:") into the key and what follows
// the colon. Quoted keys and flow collections are not keys here.
func splitKey(s string) (key, value string, ok bool) {
	if s == "" || strings.ContainsRune("\"'{[#&*!|>%@`", rune(s[0])) {
		return "", "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ') {
			return s[:i], s[i+1:], true
		}
		if s[i] == ' ' && i+1 < len(s) && s[i+1] == '#' {
			return "", "", false
		}
	}
	return "", "", false
}
