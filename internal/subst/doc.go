// Package subst substitutes a template's placeholders (${params.x},
// ${app.name}, ${hook.name}, ${env.X}, ${runner.x}) on the YAML tree of a
// JobSpec, in a single pass: a Subster takes a tree and the Scope of one
// hook and returns the substituted copy, its problems and what it costs to
// expand. Values are never re-read as YAML or as placeholders. It sits
// above internal/hookspec, whose parameter types and Context it reads, and
// below the template checks and Job generation that use it.
package subst
