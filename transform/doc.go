// Package transform is hookgen's pure core: it turns hook declarations,
// templates and an application's manifests into the resources Argo CD
// applies, or into a list of problems. It reads only through the fs.FS
// values of its Input and never touches the environment, stdout or the
// process.
//
// transform itself is the small surface the front ends use (Run, Explain,
// Catalog, LoadConfig, LintConfig, Announce, Scaffold): it loads the
// platform's configuration, the templates embedded in the binary and the
// repository's own, and drives the stages, which live in packages under
// internal/. It keeps the names its callers use as aliases of theirs
// (api_*.go), so a Job is a transform.Job wherever it is declared.
//
// # Model
//
// A run (Run) goes one way, each stage a package that imports only the
// stages before it (layout_test.go at the repository root holds them to
// that order):
//
//  1. Load. Every hookgen.yaml from the repository root down to the app
//     directory is parsed into a HookSet by a strict decoder driven by the
//     Go types of its fields (internal/hookspec): unknown fields, wrong
//     types and duplicate keys are problems with file and line. Templates
//     come from the binary (templates/*.yaml), the platform's config
//     directory and the repository's .hookgen/templates, and are checked
//     when loaded (internal/hookset); the platform's HookPolicy is read
//     the same way (internal/hookpolicy).
//  2. Merge. The HookSets merge, the root's first (internal/hookset): a
//     nearer declaration overrides the fields it sets, or replaces the
//     hook when it names its own template; defaults merge the same way.
//  3. Generate. Each enabled hook becomes one Job per phase
//     (internal/jobgen): the template's JobSpec is copied, its
//     placeholders substituted on the YAML tree in a single pass
//     (internal/subst), and the result wrapped in a named, annotated,
//     bounded and hardened Job. Literal secrets are refused.
//  4. Manifests. The application's own files are read as Argo CD's
//     directory source reads them, split into documents and passed
//     through byte for byte where nothing needs changing; a kustomization
//     is built in-process with kustomize's library over the repository's
//     fs.FS, refusing anything it would fetch. annotate rules and
//     convertHelmHooks then set Argo CD's annotations on the resources
//     they match, and only those documents are encoded again
//     (internal/manifest).
//  5. Check across: PostDelete hooks in a namespace the app itself creates
//     (transform).
//  6. Judge, last, over the final stream (internal/judge): every hook in
//     it, generated or one of the application's own resources Argo CD
//     runs as a hook, is read as the API server decodes it
//     (internal/canon) and held to the policy and to Pod Security
//     (internal/podsec). Generated Jobs are in canonical form from
//     substitution on, so the value judged is the value written. A hook
//     the platform injects is printed as generated.
//  7. Output. The Result (internal/emit) prints one YAML stream.
//
// Beneath every stage: internal/problem (the Problem type, the collector a
// run gathers problems in, and the origin of every node of a hook),
// internal/yamlio (reading files within the limits, parsing, node
// building, the canonical form, the encoder) and internal/lazyre (regular
// expressions compiled on first use). Beside the flow, internal/explain
// reads a Result.
//
// Problems are collected, not returned at the first one: a run reports
// everything wrong at once, sorted by file and line. A hook with a problem
// is still built and judged whenever what it would expand to is known, so
// its other problems show in the same run; a problem that only follows
// from one already reported is left out. Every node of a hook remembers
// the file it came from (problem.Origins), so a problem found in a
// generated Job names the line that caused it.
//
// # Output
//
// Result.WriteTo prints one YAML stream: the application's resources in
// path order, then the Jobs in Argo CD's order (phase, wave, name). The
// same Input gives the same bytes.
//
// Explain lays a Result out as Argo CD will run it, reading every object
// of the stream as Argo CD does (internal/explain): gitops-engine's hook
// types and waves, Helm's hook annotations among them, and Argo CD's
// controller's deletion hooks.
//
// # Limits
//
// Repository content is untrusted. Limits bounds file sizes, total bytes,
// documents, YAML nodes (aliases included), nesting and hooks; a symlink
// that leads outside the repository is refused by the fs.FS the caller
// passes (see ErrOutsideRoot).
package transform
