package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
)

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// installComponent is the release's install: a Component that takes the
// tagged manifests/base and pins the image, sidecar and runner alike (the
// base extends images: to HOOKGEN_RUNNER_IMAGE), by the digest the release
// built. The digest depends on the commit, so it cannot live in the
// commit; the release writes it here.
func installComponent(version, base, digest string) (string, error) {
	if !digestRE.MatchString(digest) {
		return "", fmt.Errorf("digest %q is not sha256:<64 hex>", digest)
	}
	return fmt.Sprintf(`# hookgen %[1]s: the sidecar for argocd-repo-server, its image pinned by
# the digest this release built (docs/release.md). Save it as
# hookgen/kustomization.yaml beside the kustomization that installs Argo CD,
# and list it there:
#
#   components:
#     - hookgen
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
components:
  - %[2]s
images:
  - name: %[3]s
    newTag: %[1]s
    digest: %[4]s
`, version, base, imageRepo, digest), nil
}

func cmdInstall(args []string) error {
	fl := flag.NewFlagSet("install", flag.ContinueOnError)
	version := fl.String("version", "", "the release version (a tag)")
	base := fl.String("base", "", "the component to pin (default: the tagged manifests/base on GitHub)")
	digest := fl.String("digest", "", "the image index digest")
	out := fl.String("out", "", "the file to write")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *version == "" || *digest == "" || *out == "" {
		return fmt.Errorf("-version, -digest and -out are required")
	}
	if *base == "" {
		*base = "https://github.com/hookgen/hookgen//manifests/base?ref=" + *version
	}
	s, err := installComponent(*version, *base, *digest)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, []byte(s), 0o644)
}
