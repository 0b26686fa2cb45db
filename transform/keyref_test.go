package transform

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookgen/hookgen/internal/emit"
	"github.com/hookgen/hookgen/internal/hookspec"
)

// runWebhook generates one webhook hook with the given caBundle value.
func runWebhook(caBundle string) (*emit.Result, error) {
	repo := fstest.MapFS{"app/hookgen.yaml": {Data: []byte(setHeader + `hooks:
  - name: notify
    uses: webhook
    with:
      url: {secret: hook, key: url}
      caBundle: ` + caBundle + `
`)}}
	return Run(Input{Repo: repo, AppDir: "app", Context: hookspec.Context{App: hookspec.App{Name: "shop", Namespace: "shop"}, RunnerImage: "runner:1"}})
}

// TestKeyRefValues: a keyRef names a ConfigMap's or a Secret's key, one of
// them, by names Kubernetes accepts; the key is a file name in a volume.
func TestKeyRefValues(t *testing.T) {
	tests := []struct {
		value string
		want  string // "" for accepted
	}{
		{"{configMap: corp-ca, key: ca.crt}", ""},
		{"{secret: corp-ca, key: tls.ca-bundle_1}", ""},
		{"{configMap: corp-ca, secret: corp-ca, key: ca.crt}", `hookgen.yaml:8: hook "notify": parameter "caBundle" must be a reference to a key of a ConfigMap or a Secret, {configMap: NAME, key: KEY} or {secret: NAME, key: KEY}; give configMap or secret, not both`},
		{"{configMap: corp-ca}", "configMap or secret, and key, are required"},
		{"{key: ca.crt}", "configMap or secret, and key, are required"},
		{"{configMap: corp-ca, key: ca.crt, path: x}", `unknown field "path"`},
		{"'-----BEGIN CERTIFICATE-----'", "the content itself is not accepted; store it in a ConfigMap or a Secret"},
		{"[corp-ca]", "or {secret: NAME, key: KEY}, not a list"},
		{"{configMap: Corp_CA, key: ca.crt}", "must name a ConfigMap: configMap must be a DNS-1123 subdomain"},
		{"{secret: corp-ca, key: ca/crt}", "must name a key of a Secret: key may hold letters, digits, '-', '_' and '.' (at most 253)"},
		{"{secret: corp-ca, key: ..data}", "must name a key of a Secret: key must not be '.' or start with '..'"},
		{"{configMap: corp-ca, key: .}", "must name a key of a ConfigMap: key must not be '.' or start with '..'"},
		{"{configMap: corp-ca, key: [a]}", "must name a key of a ConfigMap: key may hold"},
		{`{configMap: "$$(params.x)", key: ca.crt}`, "must name a ConfigMap"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			_, err := runWebhook(tt.value)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestKeyRefVolume: the runner templates mount the referenced key
// read-only, from a ConfigMap or a Secret as given, and pass its file to
// --ca-file; without a caBundle there is neither volume nor flag.
func TestKeyRefVolume(t *testing.T) {
	type pod struct {
		Containers []struct {
			Args         []string         `yaml:"args"`
			VolumeMounts []map[string]any `yaml:"volumeMounts"`
		} `yaml:"containers"`
		Volumes []map[string]any `yaml:"volumes"`
	}
	tests := []struct {
		value, mount, volume, arg string
	}{
		{"{configMap: corp-ca, key: ca.crt}",
			"map[mountPath:/etc/hookgen/ca/ca.crt name:ca-bundle readOnly:true subPath:ca.crt]",
			"map[configMap:map[items:[map[key:ca.crt path:ca.crt]] name:corp-ca] name:ca-bundle]",
			"--ca-file=/etc/hookgen/ca/ca.crt"},
		{"{secret: corp-ca, key: bundle.pem}",
			"map[mountPath:/etc/hookgen/ca/bundle.pem name:ca-bundle readOnly:true subPath:bundle.pem]",
			"map[name:ca-bundle secret:map[items:[map[key:bundle.pem path:bundle.pem]] secretName:corp-ca]]",
			"--ca-file=/etc/hookgen/ca/bundle.pem"},
		{"null", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			res, err := runWebhook(tt.value)
			if err != nil {
				t.Fatal(err)
			}
			var job struct {
				Spec struct {
					Template struct {
						Spec pod `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			}
			if err := res.Jobs[0].Node.Decode(&job); err != nil {
				t.Fatal(err)
			}
			p := job.Spec.Template.Spec
			var mounts, vols []string
			for _, m := range p.Containers[0].VolumeMounts {
				if m["name"] == "ca-bundle" {
					mounts = append(mounts, yamlString(m))
				}
			}
			for _, v := range p.Volumes {
				if v["name"] == "ca-bundle" {
					vols = append(vols, yamlString(v))
				}
			}
			var args []string
			for _, a := range p.Containers[0].Args {
				if strings.HasPrefix(a, "--ca-file") {
					args = append(args, a)
				}
			}
			if got := strings.Join(mounts, ";"); got != tt.mount {
				t.Errorf("mounts %s, want %s", got, tt.mount)
			}
			if got := strings.Join(vols, ";"); got != tt.volume {
				t.Errorf("volumes %s, want %s", got, tt.volume)
			}
			if got := strings.Join(args, ";"); got != tt.arg {
				t.Errorf("args %s, want %s", got, tt.arg)
			}
		})
	}
}

func yamlString(v any) string { return fmt.Sprint(v) }
