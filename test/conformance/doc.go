// Package conformance checks hookgen's output with Argo CD's own code: every
// golden output goes through gitops-engine's YAML splitter (the one the
// cmp-server and repo-server use on a plugin's stdout) and its readers of
// hook types, delete policies and sync waves, and must say what hookgen
// meant. It also checks that the Argo CD names hookgen mirrors, instead of
// importing Argo CD, equal Argo CD's constants.
package conformance
