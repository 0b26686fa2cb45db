// Package yamlio is the YAML machinery every stage of transform's flow
// shares: reading repository files through an fs.FS within Limits
// (Reader), parsing streams under node, depth and alias budgets
// (ParseStream), building and walking yaml.Node trees (MapGet, NewStr, ...),
// the canonical form of scalars that generated Jobs carry (Canonical), the
// quick scan of a document's kind and name (ScanDoc), and the encoder that
// prints nodes (EncodeNode). It takes bytes or nodes and returns nodes,
// bytes or problems; it sits just above internal/problem and imports no
// stage.
//
// The fast writer (emit.go) earns its keep. EncodeNode prints the seven
// Jobs of a hooks-only run in 43 µs with 66 allocations where kyaml's
// encoder takes 0.40 ms and 1,219 (9× the time, 18× the allocations):
// 0.36 ms saved of a 7–8 ms process, about 5%. It prints 1,000 ConfigMaps
// written in flow style, the plain documents a run encodes again, in about
// 2 ms with no allocation where the encoder takes 30–42 ms and 64,000:
// 28–40 ms saved of a run of 65 ms. It does not take Deployments
// with a folded scalar (EncodeNode then costs about 10% more than the
// encoder alone), but a run prints those as written. BenchmarkKeepEmitJobs
// (transform) and BenchmarkKeepEmitManifests, in bench/go-bench.txt.
//
// The quick reader (scan.go) earns its keep. ScanDoc reads the identity of
// 1,000 ConfigMaps as written by hand in 2 ms with 11,000 allocations where
// the parse it spares takes 25–27 ms and 158,000 (13×): without it a run
// over them (26–29 ms) would take nearly twice as long. For 1,000 lean
// ConfigMaps it takes 0.5–0.7 ms against 11–16 ms (20×, 87,000 allocations
// saved), for 1,000 Deployments with long values 12–16 ms against 91–100
// ms (6–7×), 80 ms of a 270 ms run. BenchmarkKeepScanDoc, in
// bench/go-bench.txt.
package yamlio
