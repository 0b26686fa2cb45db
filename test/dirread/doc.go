// Package dirread checks that hookgen reads a plain app directory exactly
// as Argo CD's directory source does: Argo CD's own repo-server code
// (argo-cd v2.14.21, reposerver/repository.GenerateManifests for a source
// with directory settings) and the built hookgen binary read the same
// directories, and the objects they produce must be the same.
package dirread
