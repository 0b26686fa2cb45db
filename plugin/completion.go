package plugin

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

const completionHelp = `Usage: hookgen completion bash|zsh|fish

Print a script that completes hookgen's commands, flags, flag values
(output formats, directories) and subcommands in your shell.

Examples:
  # bash, for this shell, then for good
  source <(hookgen completion bash)
  hookgen completion bash > ~/.local/share/bash-completion/completions/hookgen
  # zsh: a directory in $fpath
  hookgen completion zsh > "${fpath[1]}/_hookgen"
  # fish
  hookgen completion fish > ~/.config/fish/completions/hookgen.fish

Flags:
`

var shells = []string{"bash", "fish", "zsh"}

func runCompletion(_ context.Context, args []string, _ Env, stdout, stderr io.Writer) int {
	fl := helpOnly("completion")()
	if code, ok := parseFlags("completion", completionHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() != 1 {
		return usageError(stderr, "completion", fmt.Errorf("name one shell: bash, zsh or fish"))
	}
	specs := completionSpecs()
	switch fl.Arg(0) {
	case "bash":
		io.WriteString(stdout, bashCompletion(specs))
	case "zsh":
		io.WriteString(stdout, zshCompletion(specs))
	case "fish":
		io.WriteString(stdout, fishCompletion(specs))
	default:
		return usageError(stderr, "completion", fmt.Errorf("unknown shell %q: bash, zsh or fish", fl.Arg(0)))
	}
	return ExitOK
}

// cmdSpec is what completion knows of one command.
type cmdSpec struct {
	name, summary string
	flags         []flagSpec
	words         []string
	dirArg        bool
}

// flagSpec is one flag: its names, whether it takes a value, and which.
type flagSpec struct {
	long, short, usage string
	takesValue, repeat bool
	values             []string // fixed values
	dir                bool     // a directory
}

// flagValues are the values of flags that take one of a few.
var flagValues = map[string][]string{
	"output": {"text", "json"},
	"format": {"text", "mermaid", "json"},
	"color":  {"auto", "always", "never"},
}

// dirFlagNames are the flags whose value is a directory.
var dirFlagNames = map[string]bool{"dir": true, "config-dir": true, "repo-root": true}

func completionSpecs() []cmdSpec {
	var out []cmdSpec
	for _, name := range commandNames() {
		c := commands[name]
		spec := cmdSpec{name: name, summary: c.summary, words: c.words, dirArg: c.dirArg}
		if c.flags != nil {
			c.flags().VisitAll(func(f *pflag.Flag) {
				_, usage := pflag.UnquoteUsage(f)
				spec.flags = append(spec.flags, flagSpec{
					long: f.Name, short: f.Shorthand, usage: usage,
					repeat:     strings.HasSuffix(f.Value.Type(), "Array") || strings.HasSuffix(f.Value.Type(), "Slice"),
					takesValue: f.NoOptDefVal == "",
					values:     flagValues[f.Name],
					dir:        dirFlagNames[f.Name],
				})
			})
		}
		out = append(out, spec)
	}
	return out
}

func (f flagSpec) names() []string {
	n := []string{"--" + f.long}
	if f.short != "" {
		n = append(n, "-"+f.short)
	}
	return n
}

// bashCompletion writes a bash completion function.
func bashCompletion(specs []cmdSpec) string {
	var b strings.Builder
	var names []string
	for _, s := range specs {
		names = append(names, s.name)
	}
	b.WriteString(`# bash completion for hookgen; "hookgen completion bash" writes it.
_hookgen() {
    local cur prev cmd
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    COMPREPLY=()
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "` + strings.Join(names, " ") + `" -- "$cur"))
        return
    fi
    cmd="${COMP_WORDS[1]}"
    case "$cmd $prev" in
`)
	for _, s := range specs {
		for _, f := range s.flags {
			if !f.takesValue {
				continue
			}
			var pats []string
			for _, n := range f.names() {
				pats = append(pats, fmt.Sprintf("%q", s.name+" "+n))
			}
			switch {
			case len(f.values) > 0:
				fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", strings.Join(pats, "|"), strings.Join(f.values, " "))
			case f.dir:
				fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n", strings.Join(pats, "|"))
			default:
				fmt.Fprintf(&b, "        %s) return ;;\n", strings.Join(pats, "|"))
			}
		}
	}
	b.WriteString("    esac\n    case \"$cmd\" in\n")
	for _, s := range specs {
		var flags []string
		for _, f := range s.flags {
			flags = append(flags, "--"+f.long)
		}
		other := "COMPREPLY=()"
		switch {
		case len(s.words) > 0:
			other = fmt.Sprintf("COMPREPLY=($(compgen -W %q -- \"$cur\"))", strings.Join(s.words, " "))
		case s.dirArg:
			other = "COMPREPLY=($(compgen -d -- \"$cur\"))"
		}
		fmt.Fprintf(&b, "        %s)\n            if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); else %s; fi ;;\n", s.name, strings.Join(flags, " "), other)
	}
	b.WriteString("    esac\n}\ncomplete -F _hookgen hookgen\n")
	return b.String()
}

// zshText makes text safe in a zsh _arguments or _describe description.
func zshText(s string) string {
	s = strings.NewReplacer("[", "(", "]", ")", ":", " -", "'", "", "\\", "", "`", "", "$", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// zshCompletion writes a zsh completion function.
func zshCompletion(specs []cmdSpec) string {
	var b strings.Builder
	b.WriteString(`#compdef hookgen
# zsh completion for hookgen; "hookgen completion zsh" writes it.
_hookgen() {
  local -a commands
  commands=(
`)
	for _, s := range specs {
		fmt.Fprintf(&b, "    '%s:%s'\n", s.name, zshText(s.summary))
	}
	b.WriteString(`  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'hookgen command' commands
    return
  fi
  local cmd=${words[2]}
  shift words
  (( CURRENT-- ))
  case $cmd in
`)
	for _, s := range specs {
		var args []string
		for _, f := range s.flags {
			action := ""
			if f.takesValue {
				switch {
				case len(f.values) > 0:
					action = ":" + f.long + ":(" + strings.Join(f.values, " ") + ")"
				case f.dir:
					action = ":directory:_files -/"
				default:
					action = ":" + f.long + ": "
				}
			}
			desc := "[" + zshText(f.usage) + "]"
			if f.short != "" {
				args = append(args, fmt.Sprintf("'(-%s --%s)'{-%s,--%s}'%s%s'", f.short, f.long, f.short, f.long, desc, action))
			} else if f.repeat {
				args = append(args, fmt.Sprintf("'*--%s%s%s'", f.long, desc, action))
			} else {
				args = append(args, fmt.Sprintf("'--%s%s%s'", f.long, desc, action))
			}
		}
		switch {
		case len(s.words) > 0:
			args = append(args, fmt.Sprintf("'1:%s:(%s)'", s.name, strings.Join(s.words, " ")))
		case s.dirArg:
			args = append(args, "'1:directory:_files -/'")
		}
		fmt.Fprintf(&b, "    %s)\n", s.name)
		if len(args) > 0 {
			fmt.Fprintf(&b, "      _arguments -s \\\n        %s\n", strings.Join(args, " \\\n        "))
		}
		b.WriteString("      ;;\n")
	}
	b.WriteString(`  esac
}
if [[ "${funcstack[1]}" == "_hookgen" ]]; then
  _hookgen "$@"
else
  compdef _hookgen hookgen
fi
`)
	return b.String()
}

// fishText makes text safe inside single quotes in fish.
func fishText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(strings.Join(strings.Fields(s), " "))
}

// fishCompletion writes fish completions.
func fishCompletion(specs []cmdSpec) string {
	var b strings.Builder
	b.WriteString("# fish completion for hookgen; \"hookgen completion fish\" writes it.\ncomplete -c hookgen -f\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "complete -c hookgen -n '__fish_use_subcommand' -a %s -d '%s'\n", s.name, fishText(s.summary))
	}
	for _, s := range specs {
		cond := fmt.Sprintf("'__fish_seen_subcommand_from %s'", s.name)
		for _, f := range s.flags {
			line := "complete -c hookgen -n " + cond + " -l " + f.long
			if f.short != "" {
				line += " -s " + f.short
			}
			switch {
			case len(f.values) > 0:
				line += " -x -a '" + strings.Join(f.values, " ") + "'"
			case f.dir:
				line += " -x -a '(__fish_complete_directories)'"
			case f.takesValue:
				line += " -x"
			}
			b.WriteString(line + " -d '" + fishText(f.usage) + "'\n")
		}
		switch {
		case len(s.words) > 0:
			fmt.Fprintf(&b, "complete -c hookgen -n %s -a '%s'\n", cond, strings.Join(s.words, " "))
		case s.dirArg:
			fmt.Fprintf(&b, "complete -c hookgen -n %s -a '(__fish_complete_directories)'\n", cond)
		}
	}
	return b.String()
}
