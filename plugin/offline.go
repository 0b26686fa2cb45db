package plugin

import "github.com/hookgen/hookgen/internal/sandbox"

// The commands that read a repository (generate, render, validate,
// explain, krm, parameters, policy) run sealed (sandbox.Seal): no
// network, no program. `hookgen run` (the hook actions) is the one
// command that talks to the network, and is left alone.

// offlineCommands are the commands that run sealed.
var offlineCommands = map[string]bool{
	"generate": true, "render": true, "validate": true, "explain": true,
	"krm": true, "parameters": true, "policy": true,
}

// Isolate seals the process (sandbox.Seal: no network, no program, a
// bounded heap) before the command in args runs, when that command reads
// a repository. main calls it once, before Main; tests that call Main
// in-process do not, so their own process stays usable.
func Isolate(args []string) {
	name := ""
	if len(args) > 0 {
		name = args[0]
	} else if calledAsKRM() {
		name = "krm"
	}
	if !offlineCommands[name] {
		return
	}
	sandbox.Seal()
}
