// Package globdiff checks hookgen's reading of manifests.include and
// manifests.exclude (internal/argoglob) against github.com/gobwas/glob,
// which Argo CD's directory source compiles them with. It is a module of
// its own so that the product's dependencies stay out of the test
// module's.
package globdiff
