// Package plugin is hookgen's front end: the command line and the
// process boundary.
//
// It is the only package that reads the environment, writes to stdout
// and stderr and chooses exit codes. Main parses the command line and
// runs a command; the commands Argo CD calls (generate, parameters) read
// Argo CD's environment through package argocd, which hands back a
// transform.Input, and the local ones (render, validate, explain) build
// the environment Argo CD would pass from their flags and then take the
// same path. The repository is read through package sandbox, which also
// seals the process (Isolate) and bounds parallel generations.
//
// Whatever transform returns it prints, and only when every step
// succeeded: Argo CD treats empty output as "no resources", and with
// automated pruning that deletes an application.
//
// Exit codes: 0 success, 1 the input has problems (each printed on stderr as
// "path:line: hook "name": message"), 2 the command line is wrong.
package plugin
