// Package golden reads hookgen's golden cases and keeps golden files.
//
// A golden case is a directory testdata/<case> with a repo/ in it: the
// repository Argo CD would hand the plugin, the env file with Argo CD's
// build environment and the sidecar's HOOKGEN_* settings, an optional
// config/ (the sidecar's config directory), and the outcome the case
// expects: expected.yaml (stdout, with notes.txt for any stderr) for a
// case that succeeds, errors.txt (stderr) for one that fails. A case may
// also have parameters.json, what `hookgen parameters` announces for it.
//
// The package sits beside the flow, not in it: no product code imports it.
// plugin's golden tests run every case through hookgen in-process and
// compare bytes; the test module's end-to-end suite (test/e2e) sends the
// same cases through Argo CD's cmp-server. Both read the cases here, so a
// case means the same to both. The test module reaches this directory
// through the symbolic link test/internal/golden: requiring the root
// module there would raise the versions of Argo CD's own dependencies
// (kyaml, protobuf, x/net, ...) to hookgen's, and this package needs
// nothing but the standard library, so it builds the same in both.
//
// The -update flag, registered by this package, makes Check and
// Case.Record write golden files from the current output instead of
// comparing. It is for an intended change of output, never for making a
// test pass.
package golden
