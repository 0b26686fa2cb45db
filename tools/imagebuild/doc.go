// Command imagebuild assembles hookgen's container image without a
// container engine, from pinned inputs only, and the release's
// reproducible side files.
//
//	imagebuild rootfs  lay out one platform's root filesystem: the static
//	                   hookgen binary, Debian's CA bundle, passwd and group
//	                   with argocd (999:999), plugin.yaml
//	imagebuild image   write an OCI image layout archive (a multi-arch
//	                   index) from those root filesystems, every byte fixed
//	                   by the inputs and SOURCE_DATE_EPOCH
//	imagebuild sbom    an SPDX 2.3 JSON document from the binaries' embedded
//	                   module information and the Debian package
//	imagebuild install the install Component that pins the image by digest
//
// It is a module of its own (tools/imagebuild/go.mod): go-containerregistry
// stays out of hookgen's dependencies. The Makefile's image,
// release-snapshot and release-check targets drive it; docs/image.md and
// docs/release.md describe the result.
package main
