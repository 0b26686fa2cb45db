// Package benchdocs writes the plain resources hookgen's benchmarks read,
// one document per call: ConfigMaps as written by hand, lean ConfigMaps,
// Deployments with long values and ConfigMaps written as flow-style maps.
// The whole-process rows of `make bench` (bench/) and the Go benchmarks
// of transform and internal/yamlio read the same documents from here, so
// a figure of one compares with a figure of the other. No product code
// imports it; it imports nothing but the standard library.
package benchdocs
