// Package jobgen generates the Jobs. A Generator takes merged hooks, the
// templates, the policy and the run's Context, and turns each enabled hook
// into one Job per phase: it copies the template's JobSpec, substitutes
// its placeholders (internal/subst), and wraps the result in a named,
// annotated, bounded and hardened Job, refusing literal secrets. It
// returns Jobs and problems. It sits above internal/hookpolicy and below
// the application's manifests, whose kustomization may move a Job to its
// namespace, and the judge, which holds every Job to the policy.
package jobgen
