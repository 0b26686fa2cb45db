// Package yamlio is the YAML machinery every stage of transform's flow
// shares: reading repository files through an fs.FS within Limits
// (Reader), parsing streams under node, depth and alias budgets
// (ParseStream), building and walking yaml.Node trees (MapGet, NewStr, ...),
// the canonical form of scalars that generated Jobs carry (Canonical), the
// quick scan of a document's kind and name (ScanDoc), and the encoder that
// prints nodes (EncodeNode). It takes bytes or nodes and returns nodes,
// bytes or problems; it sits just above internal/problem and imports no
// stage.
package yamlio
