// Package podsecdiff is the judge of hookgen's Pod Security checks
// (github.com/hookgen/hookgen/internal/podsec): it runs
// k8s.io/pod-security-admission v0.37.2, the library the API server uses,
// on the same pod and compares the verdicts.
//
// Oracle evaluates a corev1.Pod at level restricted, version latest, with
// the library's own evaluator (policy.NewEvaluator over
// policy.DefaultChecks) and returns the ids of the checks that fail; the
// checks are wrapped only to learn which id each result belongs to.
// Podsec marshals the same pod to JSON, decodes it with UseNumber into the
// JSON value model hookgen judges, and returns the ids podsec reports.
// OracleJSON decodes raw JSON the way the API server does
// (sigs.k8s.io/json, case-sensitive) before asking the library, so tests
// can feed spellings a typed Pod cannot hold.
//
// Gen builds a pod deterministically from fuzz bytes: every field the
// checks read, with the values and spellings that matter, and the
// compliant choice first, so that exhausted input gives an allowed pod.
//
// The tables (TestTable, TestTableJSON) and TestGenReach run in every go
// test, with the seeds of FuzzRestricted and FuzzRestrictedJSON; a fuzz
// finding belongs in testdata/fuzz and, with its meaning, in a table.
//
// It is a module of its own, so that the Kubernetes v0.37 libraries the
// checks need stay apart from the v0.31 ones Argo CD v2.14 builds with in
// the test module.
package podsecdiff
