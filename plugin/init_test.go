package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hookgen/hookgen/transform"
)

// fillScaffold fills in what hookgen init leaves empty, the way a person
// would: a pinned image, a URL, a Secret reference, a phase the template
// allows, resources within the policy's bounds.
func fillScaffold(t *testing.T, data []byte, ts transform.Templates) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the scaffold is not YAML: %v\n%s", err, data)
	}
	isNull := func(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }
	set := func(n *yaml.Node, text string) {
		var v yaml.Node
		if err := yaml.Unmarshal([]byte(text), &v); err != nil {
			t.Fatal(err)
		}
		*n = *v.Content[0]
	}
	get := func(m *yaml.Node, key string) *yaml.Node {
		for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i+1]
			}
		}
		return nil
	}
	root := doc.Content[0]
	if res := get(get(root, "defaults"), "resources"); res != nil {
		for _, kind := range []string{"requests", "limits"} {
			m := get(res, kind)
			for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
				if m.Content[i].Value == "cpu" {
					set(m.Content[i+1], "50m")
				} else {
					set(m.Content[i+1], "64Mi")
				}
			}
		}
	}
	if ttl := get(get(root, "defaults"), "ttlSecondsAfterFinished"); ttl != nil && isNull(ttl) {
		set(ttl, "600")
	}
	for _, h := range get(root, "hooks").Content {
		tmpl := ts[get(h, "uses").Value]
		if p := get(h, "phase"); p != nil && isNull(p) {
			phase := "PreSync"
			if len(tmpl.Spec.Phases) > 0 {
				phase = tmpl.Spec.Phases[0]
			}
			set(p, phase)
		}
		with := get(h, "with")
		for i := 0; with != nil && i+1 < len(with.Content); i += 2 {
			name, v := with.Content[i].Value, with.Content[i+1]
			if !isNull(v) {
				continue
			}
			var typ transform.ParamType
			for _, p := range tmpl.Spec.Params {
				if p.Name == name {
					typ = p.Type
				}
			}
			switch {
			case typ == transform.ParamSecretKeyRef:
				set(v, "{secret: app-secrets, key: "+strings.ToLower(name)+"}")
			case typ == transform.ParamKeyRef:
				set(v, "{configMap: app-config, key: "+strings.ToLower(name)+"}")
			case typ == transform.ParamList:
				set(v, "[x]")
			case typ == transform.ParamMap:
				set(v, "{a: b}")
			case typ == transform.ParamInt:
				set(v, "1")
			case typ == transform.ParamBool:
				set(v, "true")
			case strings.Contains(strings.ToLower(name), "image"):
				set(v, "ghcr.io/acme/app:1.0.0")
			case strings.Contains(strings.ToLower(name), "url"):
				set(v, "https://app.example.com/healthz")
			default:
				set(v, "app")
			}
		}
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInitValidates writes a scaffold for every template hooks may use,
// with and without a platform policy, and checks that it fails validation
// until its required values are filled in, and passes once they are.
func TestInitValidates(t *testing.T) {
	for _, tc := range []struct{ name, config string }{
		{"built-in", ""},
		{"platform", filepath.Join("..", "testdata", "platform-compliant", "config")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			environ := []string{"HOOKGEN_CONFIG_DIR=" + tc.config}
			if tc.config == "" {
				environ = []string{"HOOKGEN_CONFIG_DIR=" + t.TempDir()}
			}
			env := NewEnv(environ)
			ts, policy, _, closeAll, err := catalogAndPolicy(dir, "", env)
			if err != nil {
				t.Fatal(err)
			}
			closeAll()
			var names []string
			for _, name := range ts.Names() {
				if policy.AllowsTemplate(ts[name]) {
					names = append(names, name)
				}
			}
			var stdout, stderr bytes.Buffer
			if code := Main([]string{"init", "--dir", dir, "--with", strings.Join(names, ",")}, environ, &stdout, &stderr); code != ExitOK {
				t.Fatalf("init: exit %d: %s", code, stderr.String())
			}
			file := filepath.Join(dir, transform.SpecFile)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte("# yaml-language-server: $schema="+transform.SchemaURL+"\n")) {
				t.Errorf("the scaffold does not start with the schema modeline")
			}
			// As written, it names what is missing.
			stdout.Reset()
			stderr.Reset()
			if code := Main([]string{"validate", dir}, environ, &stdout, &stderr); code != ExitProblems {
				t.Fatalf("an unfilled scaffold validates: exit %d", code)
			}
			for _, name := range names {
				if !strings.Contains(stderr.String(), `template "`+name+`"`) && !strings.Contains(stderr.String(), `hook "`+name+`"`) && hasRequired(ts[name]) {
					t.Errorf("validate says nothing about hook %s:\n%s", name, stderr.String())
				}
			}
			// Filled in, it passes.
			if err := os.WriteFile(file, fillScaffold(t, data, ts), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout.Reset()
			stderr.Reset()
			if code := Main([]string{"validate", "--app-name", "shop", dir}, environ, &stdout, &stderr); code != ExitOK {
				filled, _ := os.ReadFile(file)
				t.Fatalf("the filled scaffold does not validate: exit %d\n%s\n%s", code, stderr.String(), filled)
			}
			if !strings.HasPrefix(stdout.String(), "ok: ") {
				t.Errorf("summary %q", stdout.String())
			}
			// A second init refuses to overwrite it.
			stderr.Reset()
			if code := Main([]string{"init", "--dir", dir, "--with", names[0]}, environ, &stdout, &stderr); code != ExitProblems || !strings.Contains(stderr.String(), "already exists") {
				t.Errorf("second init: exit %d, %s", code, stderr.String())
			}
		})
	}
}

func hasRequired(t *transform.HookTemplate) bool {
	for _, p := range t.Spec.Params {
		if p.Required {
			return true
		}
	}
	return t.Spec.Defaults == nil || len(t.Spec.Defaults.Phase) == 0
}
