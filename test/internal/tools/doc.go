// Package tools locates the heavy test binaries (kube-apiserver, etcd, the
// argocd multi-call binaries, ...) that test/tools/build.sh builds, and builds
// the hookgen binary itself from the repository root.
//
// The binaries are found in the directory named by the HOOKGEN_TOOLS_BIN
// environment variable; build.sh prints the matching export line:
//
//	eval "$(test/tools/build.sh)"          # all tools
//	eval "$(test/tools/build.sh kube etcd)" # only some
//
// A test that needs a binary which is not there fails (it is never skipped)
// with a message that names the build.sh command producing it.
package tools
