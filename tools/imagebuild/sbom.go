package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// SPDX 2.3 JSON, the fields this document uses.
type spdxDoc struct {
	SPDXVersion       string       `json:"spdxVersion"`
	DataLicense       string       `json:"dataLicense"`
	SPDXID            string       `json:"SPDXID"`
	Name              string       `json:"name"`
	DocumentNamespace string       `json:"documentNamespace"`
	CreationInfo      spdxCreation `json:"creationInfo"`
	Packages          []spdxPkg    `json:"packages"`
	Relationships     []spdxRel    `json:"relationships"`
}

type spdxCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxPkg struct {
	SPDXID           string         `json:"SPDXID"`
	Name             string         `json:"name"`
	VersionInfo      string         `json:"versionInfo,omitempty"`
	DownloadLocation string         `json:"downloadLocation"`
	FilesAnalyzed    bool           `json:"filesAnalyzed"`
	Checksums        []spdxChecksum `json:"checksums,omitempty"`
	ExternalRefs     []spdxRef      `json:"externalRefs,omitempty"`
	Purpose          string         `json:"primaryPackagePurpose,omitempty"`
	Comment          string         `json:"comment,omitempty"`
}

type spdxChecksum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"checksumValue"`
}

type spdxRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type spdxRel struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

var spdxIDUnsafe = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

func spdxID(kind, name string) string {
	return "SPDXRef-" + kind + "-" + strings.Trim(spdxIDUnsafe.ReplaceAllString(name, "-"), "-")
}

func purl(typ, name, version string) spdxRef {
	return spdxRef{Category: "PACKAGE-MANAGER", Type: "purl", Locator: "pkg:" + typ + "/" + name + "@" + version}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sbom describes the release: each binary (its checksum, the Go modules
// and toolchain its build information names), the image (its digest, the
// Debian package it holds). Everything comes from the artefacts
// themselves, so the document is as reproducible as they are.
func sbom(version, commit string, created time.Time, bins []string, image, imageDigest, deb, debVersion string) (*spdxDoc, error) {
	const mainPath = "github.com/hookgen/hookgen"
	doc := &spdxDoc{
		SPDXVersion:       "SPDX-2.3",
		DataLicense:       "CC0-1.0",
		SPDXID:            "SPDXRef-DOCUMENT",
		Name:              "hookgen-" + version,
		DocumentNamespace: "https://github.com/hookgen/hookgen/releases/" + version + "/sbom/" + commit,
		CreationInfo:      spdxCreation{Created: created.Format(time.RFC3339), Creators: []string{"Tool: hookgen-imagebuild"}},
	}
	mainID := spdxID("Package", "hookgen")
	doc.Packages = append(doc.Packages, spdxPkg{
		SPDXID: mainID, Name: mainPath, VersionInfo: version, DownloadLocation: "git+https://github.com/hookgen/hookgen@" + commit,
		ExternalRefs: []spdxRef{purl("golang", mainPath, version)}, Purpose: "APPLICATION",
	})
	doc.Relationships = append(doc.Relationships, spdxRel{"SPDXRef-DOCUMENT", "DESCRIBES", mainID})

	modules := map[string]spdxPkg{}
	var goVersion string
	for _, b := range bins {
		bi, err := buildinfo.ReadFile(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b, err)
		}
		if bi.Main.Path != mainPath {
			return nil, fmt.Errorf("%s is a build of %s, not of %s", b, bi.Main.Path, mainPath)
		}
		goVersion = bi.GoVersion
		sum, err := fileSHA256(b)
		if err != nil {
			return nil, err
		}
		id := spdxID("File", filepath.Base(b))
		doc.Packages = append(doc.Packages, spdxPkg{
			SPDXID: id, Name: filepath.Base(b), VersionInfo: version, DownloadLocation: "NOASSERTION",
			Checksums: []spdxChecksum{{"SHA256", sum}}, Purpose: "APPLICATION",
		})
		doc.Relationships = append(doc.Relationships, spdxRel{id, "GENERATED_FROM", mainID})
		for _, d := range bi.Deps {
			m := d
			if d.Replace != nil {
				m = d.Replace
			}
			p := spdxPkg{
				SPDXID: spdxID("Module", m.Path+"-"+m.Version), Name: m.Path, VersionInfo: m.Version,
				DownloadLocation: "https://proxy.golang.org/" + m.Path + "/@v/" + m.Version + ".zip",
				ExternalRefs:     []spdxRef{purl("golang", m.Path, m.Version)}, Purpose: "LIBRARY",
			}
			if m.Sum != "" {
				p.Comment = "go.sum " + m.Sum
			}
			modules[p.SPDXID] = p
		}
	}
	ids := make([]string, 0, len(modules))
	for id := range modules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		doc.Packages = append(doc.Packages, modules[id])
		doc.Relationships = append(doc.Relationships, spdxRel{mainID, "DEPENDS_ON", id})
	}
	if goVersion != "" {
		id := spdxID("Module", "stdlib-"+goVersion)
		doc.Packages = append(doc.Packages, spdxPkg{
			SPDXID: id, Name: "stdlib", VersionInfo: goVersion, DownloadLocation: "https://go.dev/dl/",
			ExternalRefs: []spdxRef{purl("golang", "stdlib", goVersion)}, Purpose: "LIBRARY",
		})
		doc.Relationships = append(doc.Relationships, spdxRel{mainID, "DEPENDS_ON", id})
	}
	if image != "" {
		sum, err := fileSHA256(image)
		if err != nil {
			return nil, err
		}
		imgID := spdxID("Image", filepath.Base(image))
		doc.Packages = append(doc.Packages, spdxPkg{
			SPDXID: imgID, Name: filepath.Base(image), VersionInfo: version, DownloadLocation: "NOASSERTION",
			Checksums:    []spdxChecksum{{"SHA256", sum}},
			ExternalRefs: []spdxRef{{Category: "PACKAGE-MANAGER", Type: "purl", Locator: "pkg:oci/hookgen@" + imageDigest + "?repository_url=" + imageRepo}},
			Purpose:      "CONTAINER", Comment: "OCI image index " + imageDigest + " (linux/amd64, linux/arm64)",
		})
		doc.Relationships = append(doc.Relationships, spdxRel{imgID, "CONTAINS", mainID})
		if deb != "" {
			dsum, err := fileSHA256(deb)
			if err != nil {
				return nil, err
			}
			debID := spdxID("Package", "deb-ca-certificates")
			doc.Packages = append(doc.Packages, spdxPkg{
				SPDXID: debID, Name: "ca-certificates", VersionInfo: debVersion, DownloadLocation: "https://deb.debian.org/debian/pool/main/c/ca-certificates/",
				Checksums:    []spdxChecksum{{"SHA256", dsum}},
				ExternalRefs: []spdxRef{purl("deb", "debian/ca-certificates", debVersion+"?arch=all&distro=debian-12")}, Purpose: "LIBRARY",
				Comment: "the CA bundle /etc/ssl/certs/ca-certificates.crt is its certificates, concatenated",
			})
			doc.Relationships = append(doc.Relationships, spdxRel{imgID, "CONTAINS", debID})
		}
	}
	return doc, nil
}

func cmdSBOM(args []string) error {
	fl := flag.NewFlagSet("sbom", flag.ContinueOnError)
	version := fl.String("version", "dev", "the release version")
	commit := fl.String("commit", "", "the commit")
	image := fl.String("image", "", "the image archive")
	digest := fl.String("digest", "", "the image index digest")
	deb := fl.String("deb", "", "the ca-certificates package in the image")
	debVersion := fl.String("deb-version", "", "its version")
	out := fl.String("out", "", "the SPDX JSON file to write")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *out == "" || fl.NArg() == 0 {
		return fmt.Errorf("usage: imagebuild sbom -out FILE [flags] BINARY...")
	}
	created, err := sourceDate()
	if err != nil {
		return err
	}
	doc, err := sbom(*version, *commit, created, fl.Args(), *image, *digest, *deb, *debVersion)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(*out, append(b, '\n'), 0o644)
}
