// Package benchdata is what hookgen's benchmarks share: the plain
// resources they read, one document per call (ConfigMaps as written by
// hand, lean ConfigMaps, Deployments with long values and ConfigMaps
// written as flow-style maps), and the records the Argo CD benchmarks of
// the test module (test/_cmpbench, test/_repobench) write as JSON for the
// bench program to read. The whole-process rows of `make bench` (bench/)
// and the Go benchmarks of transform and internal/yamlio read the same
// documents from here, so a figure of one compares with a figure of the
// other. No product code imports it; it imports nothing but the standard
// library, and the test module reaches it through the symbolic link
// test/internal/benchdata, as it reaches internal/golden.
package benchdata
