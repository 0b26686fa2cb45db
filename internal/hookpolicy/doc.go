// Package hookpolicy is the platform's HookPolicy: the rules on templates,
// images, namespaces, service accounts, pods and input limits, decoded
// strictly from policy.yaml, with the open policy for when there is none.
// It takes a policy document and returns a HookPolicy or problems, and
// answers questions about it (which template rule forbids a template,
// whether the policy injects a hook); Path and Verdict are how the judge
// reports a broken rule. It sits above internal/hookset, whose hook checks
// an injected hook goes through, and below Job generation and the judge,
// which apply it.
package hookpolicy
