// Package inert makes text safe to echo: a file name, a value or a
// message that reaches a terminal, a log or Argo CD's UI is written with
// its control characters escaped, so that it cannot start a line of its
// own, move a cursor or reorder what a reader sees. transform's problems,
// plugin's messages and the runner's log lines all go through it.
package inert
