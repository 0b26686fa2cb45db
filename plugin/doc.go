// Package plugin is hookgen's front end: the command line, the Argo CD
// Config Management Plugin contract and the process boundary.
//
// It is the only package that reads the environment, opens files, writes to
// stdout and stderr and chooses exit codes. Everything it learns (the
// ARGOCD_APP_* context, ARGOCD_ENV_* variables, parameters, the repository
// and the sidecar's config directory) it hands to package transform as a
// transform.Input; whatever transform returns it prints, and only when every
// step succeeded: Argo CD treats empty output as "no resources", and with
// automated pruning that deletes an application.
//
// Exit codes: 0 success, 1 the input has problems (each printed on stderr as
// "path:line: hook "name": message"), 2 the command line is wrong.
package plugin
