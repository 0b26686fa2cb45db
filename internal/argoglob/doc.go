// Package argoglob compiles the include and exclude patterns of Argo CD's
// directory source (github.com/gobwas/glob with no separators) into RE2
// expressions, so hookgen picks the same files as Argo CD without the
// dependency. The test module checks it against gobwas/glob itself.
package argoglob
