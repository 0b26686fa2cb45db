// Package hookspec is what hookgen reads: the declaration types of a
// HookSet (hookgen.yaml) and a HookTemplate, the names Argo CD uses
// (phases, delete policies, annotations), the Context of a run, and the
// strict decoder that fills those types from YAML nodes, refusing unknown
// fields, wrong types and duplicate keys with a position. It takes nodes
// and returns declarations or problems. It sits above internal/yamlio and
// below every stage that acts on declarations: templates and merging,
// substitution, Job generation, manifests and the judge.
package hookspec
