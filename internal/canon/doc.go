// Package canon reads a YAML node tree as Kubernetes reads its text.
//
// The API server, kubectl and Argo CD turn YAML into JSON with
// sigs.k8s.io/yaml (YAMLToJSON): go-yaml v2 resolves every plain scalar
// by YAML 1.1 rules (yes, On, 0x1F, 0777, 1_000, +0, ~ ...), then the
// result is marshalled with encoding/json. Value returns that JSON value
// as encoding/json's Decoder with UseNumber yields it: map[string]any,
// []any, string, json.Number, bool and nil. Every check hookgen makes on
// what a cluster will apply reads this value, never the text of a scalar.
//
// The tree is one go-yaml v3 parsed (kyaml's yaml.Node) or one hookgen
// built: a scalar means what it means once written. A plain scalar is
// resolved by YAML 1.1 rules; a quoted or block one is a string; a plain
// scalar whose tag YAML 1.2 would not give it is written quoted or tagged
// by the encoder, and read that way.
//
// Where sigs.k8s.io/yaml's answer is not one value, Value returns an
// error: two keys that become the same JSON key (1 and "1"), a null or
// collection key, NaN or an infinity (encoding/json refuses them), a tag
// that does not fit its value (!!int yes).
//
// Known difference: go-yaml v3 drops the non-specific tag "!" on a plain
// scalar, which go-yaml v2 reads as a string; Value then reads the typed
// value (`! 0` is 0 here, "0" there). A string in a typed Kubernetes field
// fails to decode, so reading the typed value only makes a check stricter.
//
// Why not the library itself: canon earns its keep. Reading the 24 Jobs of
// four golden cases takes 0.5 ms and 5,800 allocations with Value, where
// writing each tree and reading the text back with sigs.k8s.io/yaml takes
// 6–7 ms and 34,000 (12×): 1.7 ms more for the 7 Jobs of a hooks-only run,
// a fifth of its 8 ms process. Deciding whether 2,200 strings must be
// quoted takes 0.1 ms with NeedsQuotes against 13 ms with a YAML 1.1 parse
// of each (kyaml's IsValueNonString) and a YAML 1.2 one (115×). Both
// benchmarks first check the two ways agree on their inputs, and the
// differential tests hold them together on every spelling:
// BenchmarkKeepValue and BenchmarkKeepNeedsQuotes in test/canondiff, in
// bench/go-bench.txt.
package canon
