// Package lazyre holds regular expressions compiled on first use rather
// than at process start. Every stage of transform's flow may use it; it
// imports none of them.
package lazyre
