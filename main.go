// Command hookgen is an Argo CD Config Management Plugin that expands short
// hook declarations (hookgen.yaml) into hardened batch/v1 Jobs carrying Argo
// CD's hook annotations. See the plugin package for the command line.
package main

import (
	"os"

	"github.com/hookgen/hookgen/plugin"
)

func main() {
	plugin.Isolate(os.Args[1:])
	os.Exit(plugin.Main(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}
