package transform

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// TestConfigReadsOnlyHookgenFiles checks which files of a config directory
// hookgen reads as its own, which it names as skipped, and that a broken
// file of its own is a problem, never skipped.
func TestConfigReadsOnlyHookgenFiles(t *testing.T) {
	tmpl := "apiVersion: hookgen.dev/v1alpha1\nkind: HookTemplate\nmetadata: {name: %s}\nspec:\n  job: {template: {spec: {containers: [{name: c, image: busybox}]}}}\n"
	tests := []struct {
		name      string
		files     map[string]string
		templates []string // platform templates read
		skipped   []string // the notes
		problem   string   // "" when none
	}{
		{
			name: "a kustomization, a README and a Kubernetes object are skipped",
			files: map[string]string{
				"kustomization.yaml": "resources: [a.yaml]\n",
				"README.md":          "hello\n",
				"rbac.yaml":          "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: a}\n",
				"templates/cm.yml":   "kind: ConfigMap\nmetadata: {name: a}\n",
				"a.yaml":             strings.ReplaceAll(tmpl, "%s", "alpha"),
				"templates/b.yaml":   strings.ReplaceAll(tmpl, "%s", "beta"),
				".hidden.yaml":       "not: read\n",
				"empty.yaml":         "# nothing\n",
			},
			templates: []string{"alpha", "beta"},
			skipped: []string{
				"config:README.md: note: skipped, not a .yaml file",
				"config:kustomization.yaml: note: skipped, not a HookTemplate: kustomization",
				"config:rbac.yaml: note: skipped, not a HookTemplate: v1 ServiceAccount, rbac.authorization.k8s.io/v1 RoleBinding",
				"config:templates/cm.yml: note: skipped, not a HookTemplate: ConfigMap",
			},
		},
		{
			name:    "a misspelt hookgen apiVersion is read, and wrong",
			files:   map[string]string{"t.yaml": "apiVersion: hookgen.dev/v1alpah1\nkind: HookTemplate\nmetadata: {name: t}\n"},
			problem: `config:t.yaml:1: expected apiVersion hookgen.dev/v1alpha1 and kind HookTemplate, found "hookgen.dev/v1alpah1" and "HookTemplate"`,
		},
		{
			name:    "a document with no apiVersion or kind is read, and wrong",
			files:   map[string]string{"t.yaml": "metadata: {name: t}\n"},
			problem: `config:t.yaml:1: expected apiVersion hookgen.dev/v1alpha1 and kind HookTemplate, found "" and ""`,
		},
		{
			name:    "YAML that does not parse is read, and wrong",
			files:   map[string]string{"t.yaml": "apiVersion: v1\nkind: [\n"},
			problem: "config:t.yaml:2: invalid YAML",
		},
		{
			name:    "a hookgen document beside a Kubernetes one makes the file hookgen's",
			files:   map[string]string{"t.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n" + strings.ReplaceAll(tmpl, "%s", "t")},
			problem: `config:t.yaml:1: expected apiVersion hookgen.dev/v1alpha1 and kind HookTemplate, found "v1" and "ConfigMap"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			cfg, err := LoadConfig(fsys, yamlio.Limits{})
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("got %v, want a problem containing %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range cfg.Skipped {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.skipped, "\n") {
				t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.skipped, "\n"))
			}
			for _, name := range tc.templates {
				if tm := cfg.Templates[name]; tm == nil || tm.OriginKind != hookset.OriginPlatform {
					t.Errorf("platform template %q not read", name)
				}
			}
		})
	}
}
