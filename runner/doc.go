// Package runner is what a generated hook Job runs: "hookgen run <action>".
package runner
