// Package runnerenv is the contract between the runner Jobs hookgen
// generates and the runner in them (`hookgen run`): the names of the
// HOOKGEN_* variables through which a Job tells the runner which
// Application, revision and hook it runs for. transform writes them into
// every runner container; runner reads them into its message context.
// Both sides name them only through this package, and each side's tests
// check it uses all of them.
package runnerenv
