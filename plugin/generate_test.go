package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsNeverEchoed runs the golden case full of literal secrets and
// checks that not one of them reaches stderr, which Argo CD shows in its UI.
func TestSecretsNeverEchoed(t *testing.T) {
	var c goldenCase
	for _, gc := range goldenCases(t) {
		if gc.Name == "err-secrets" {
			c = gc
		}
	}
	if c.Name == "" {
		t.Fatal("golden case err-secrets is missing")
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"generate", "--dir", c.appDir()}, c.environ(false), &stdout, &stderr); code != ExitProblems {
		t.Fatalf("exit code %d", code)
	}
	// It says what is wrong, without the values.
	for _, want := range []string{`hook "db": env DB_PASSWORD has a literal value`, `hook "db": a URL with a password is written literally`, `hook "key": a private key is written literally`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	for _, secret := range []string{"hunter2", "s3cret", "tok-abc-123", "XXXXXXXXXXXXXXXX", "hooks.slack.com", "MIIBOgIBAAJBAKj34"} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("stderr shows %q:\n%s", secret, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout is not empty")
	}
}

// TestAbsoluteSymlinksInsideTheRepository mirrors how Argo CD 2.x's
// cmp-server unpacks a repository: every symlink becomes an absolute link
// to its target's place in the unpacked copy. A link that stays inside the
// repository must read as the same link written relatively; one that
// leads outside stays refused.
func TestAbsoluteSymlinksInsideTheRepository(t *testing.T) {
	checkAbsoluteLinks(t, map[string]string{
		"shared/common.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: common}\n",
		"app/hookgen.yaml":   "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks:\n  - {name: smoke, uses: job, phase: PostSync, with: {image: busybox:1.37}}\n",
	}, "../shared/common.yaml", "shared/common.yaml")
}

// TestAbsoluteSymlinksInKustomize is the same for a kustomization, which
// resolves links itself (and keeps kustomize's own rule that a resource
// lies under its kustomization): an absolute link inside the repository
// reads as the relative one, an absolute link outside is refused.
func TestAbsoluteSymlinksInKustomize(t *testing.T) {
	checkAbsoluteLinks(t, map[string]string{
		"app/shared/common.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: common}\n",
		"app/kustomization.yaml": "resources: [common.yaml]\n",
		"app/hookgen.yaml":       "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks: []\n",
	}, "shared/common.yaml", "app/shared/common.yaml")
}

// checkAbsoluteLinks lays out a repository of files with app/common.yaml
// a link to the ConfigMap "common", and runs hookgen generate in app three
// times: with the link written relatively (rel), as an absolute link to
// target inside the repository (which must print the same), and as an
// absolute link outside it (which must be refused, with nothing of the
// file it leads to shown).
func checkAbsoluteLinks(t *testing.T, files map[string]string, rel, target string) {
	t.Helper()
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	writeTestFile(t, outside, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leaked}\n")
	generate := func(link func(root string) string) (int, string, string) {
		root, err := filepath.EvalSymlinks(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for name, content := range files {
			writeTestFile(t, filepath.Join(root, filepath.FromSlash(name)), content)
		}
		if err := os.Symlink(link(root), filepath.Join(root, "app", "common.yaml")); err != nil {
			t.Fatal(err)
		}
		env := []string{"ARGOCD_APP_NAME=shop", "ARGOCD_APP_SOURCE_PATH=app", "HOOKGEN_CONFIG_DIR=" + t.TempDir(), "HOOKGEN_RUNNER_IMAGE=ghcr.io/hookgen/hookgen:v0.1.0"}
		var stdout, stderr bytes.Buffer
		code := Main([]string{"generate", "--dir", filepath.Join(root, "app")}, env, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, relative, stderr := generate(func(string) string { return rel })
	if code != ExitOK || !strings.Contains(relative, "name: common") {
		t.Fatalf("relative link: exit code %d, stdout:\n%s\nstderr:\n%s", code, relative, stderr)
	}
	code, absolute, stderr := generate(func(root string) string { return filepath.Join(root, filepath.FromSlash(target)) })
	if code != ExitOK || absolute != relative {
		t.Errorf("absolute link inside the repository: exit code %d, stderr:\n%s\nstdout:\n%s\nwant the relative link's:\n%s", code, stderr, absolute, relative)
	}
	code, out, stderr := generate(func(string) string { return outside })
	if code != ExitProblems || out != "" || !strings.Contains(stderr, "app/common.yaml: a symlink leads outside the repository") || strings.Contains(out+stderr, "leaked") {
		t.Errorf("absolute link outside the repository: exit code %d, stdout %q, stderr:\n%s", code, out, stderr)
	}
}

func writeTestFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
