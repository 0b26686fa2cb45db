// Package explain lays a run's Result out as Argo CD will run it: stages
// by phase, waves within them, each object with the hook type, delete
// policy and TTL Argo CD reads from it. Every object of the stream is read
// as Argo CD does (ReadArgo): gitops-engine's hook types and waves, Helm's
// hook annotations among them, and Argo CD's controller's deletion hooks.
// It takes an emit.Result and returns a Timeline; it sits beside the
// flow, after internal/emit, and nothing in the flow imports it.
package explain
