// Package transform is hookgen's pure core: it turns hook declarations,
// templates and an application's manifests into the resources Argo CD
// applies, or into a list of problems. It reads only through the fs.FS
// values of its Input and never touches the environment, stdout or the
// process.
//
// # Model
//
// A run (Run) goes one way:
//
//  1. Load. Every hookgen.yaml from the repository root down to the app
//     directory is parsed into a HookSet by a strict decoder (decode.go)
//     driven by the Go types in spec.go: unknown fields, wrong types and
//     duplicate keys are problems with file and line. Templates come from
//     the binary (templates/*.yaml), the platform's config directory and
//     the repository's .hookgen/templates, and are checked when loaded.
//  2. Merge. The HookSets merge, the root's first (hookset.go): a nearer
//     declaration overrides the fields it sets, or replaces the hook when
//     it names its own template; defaults merge the same way.
//  3. Generate. Each enabled hook becomes one Job per phase (job.go): the
//     template's JobSpec is copied, its placeholders substituted on the
//     YAML tree in a single pass (subst.go), and the result wrapped in a
//     named, annotated, bounded and hardened Job. Literal secrets are
//     refused (secrets.go).
//  4. Manifests. The application's own files are split into documents
//     and passed through byte for byte where nothing needs changing
//     (manifests.go); a kustomization is built in-process with
//     kustomize's library over the repository's fs.FS, refusing anything
//     it would fetch (kustomize.go, kustfs.go). annotate rules and
//     convertHelmHooks then set Argo CD's annotations on the resources
//     they match, and only those documents are encoded again
//     (annotate.go).
//  5. Check across: PostDelete hooks in a namespace the app itself creates.
//  6. Judge (judge.go), last, over the final stream: every hook in it,
//     generated or one of the application's own resources Argo CD runs as
//     a hook, is read as the API server decodes it (internal/canon) and
//     held to the policy. Generated Jobs are in canonical form
//     (canonical.go) from substitution on, so the value judged is the
//     value written. A hook the platform injects is printed as generated.
//
// Problems are collected, not returned at the first one: a run reports
// everything wrong at once, sorted by file and line (problem.go). A hook
// with a problem is still built and judged whenever what it would expand
// to is known, so its other problems show in the same run; a problem that
// only follows from one already reported is left out. Every node of a
// hook remembers the file it came from (origins.go), so a problem found
// in a generated Job names the line that caused it.
//
// # Output
//
// Result.WriteTo prints one YAML stream: the application's resources in
// path order, then the Jobs in Argo CD's order (phase, wave, name). The
// same Input gives the same bytes.
//
// Explain lays a Result out as Argo CD will run it (explain.go), reading
// every object of the stream as Argo CD does (argoread.go): gitops-engine's
// hook types and waves, Helm's hook annotations among them, and Argo CD's
// controller's deletion hooks.
//
// # Limits
//
// Repository content is untrusted. Limits bounds file sizes, total bytes,
// documents, YAML nodes (aliases included), nesting and hooks; a symlink
// that leads outside the repository is refused by the fs.FS the caller
// passes (see ErrOutsideRoot).
package transform
