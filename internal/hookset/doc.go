// Package hookset loads and merges what an application declares. It
// parses hookgen.yaml files into HookSets, checks each hook's fields and
// parameters, parses and checks HookTemplates (the built-in ones from a
// pre-parsed node cache), and merges the HookSets from the repository root
// down to the app directory into one merged hook per name. It takes bytes
// and declarations and returns merged hooks, templates and problems. It
// sits above internal/subst, which checks a template's placeholders, and
// below Job generation.
//
// The node cache (nodecache.go) earns its keep. Loading the built-in
// templates from builtin.nodes takes 0.25 ms and 1,001 allocations where
// parsing their YAML takes 1.4 ms and 8,825 (5× the time, 9× the
// allocations): 1.1 ms saved of every process, about 15% of a hooks-only
// run (7–8 ms) and 4% of a run over 1,000 ConfigMaps (26–29 ms).
// BenchmarkKeepNodeCache (transform; templates/cache against
// templates/yaml, and the trees alone), in bench/go-bench.txt. Each
// template file is a section of its own, so that a run decodes only the
// templates its hooks use (transform's addBuiltins).
package hookset
