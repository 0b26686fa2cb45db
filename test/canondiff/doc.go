// Package canondiff holds the differential test of internal/canon: every
// spelling of every scalar, in every position, documents with merge keys,
// aliases and odd keys, and fuzzed scalars and documents are read by
// canon.Value and by sigs.k8s.io/yaml (YAMLToJSON, what the API server,
// kubectl and Argo CD read YAML with), and the two values must be equal.
// TestWritten checks trees hookgen builds against the text kyaml's encoder
// writes for them.
//
// It is a module of its own so that sigs.k8s.io/yaml stays out of
// hookgen's module and this module's dependencies out of test/'s. Fuzz
// findings go to testdata/fuzz here.
package canondiff
