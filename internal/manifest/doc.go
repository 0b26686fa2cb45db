// Package manifest reads the application's own resources. Plain files are
// read as Argo CD's directory source reads them (which files, which are
// ignored, strict JSON), split into documents and kept byte for byte where
// nothing changes them; a kustomization is built in-process with
// kustomize's library over the repository's fs.FS, refusing anything it
// would fetch, and its failures are told in terms of the repository's
// files. Annotate rules and convertHelmHooks then set Argo CD's
// annotations on the resources they match. It takes the repository and a
// HookSet's manifest settings and returns Manifests and problems. It sits
// above internal/jobgen (a kustomization's namespace moves the generated
// Jobs with it) and below the judge.
package manifest
