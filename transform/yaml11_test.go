package transform

import (
	"testing"

	yaml2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// v2NonString asks go-yaml v2 (what Kubernetes' YAML reading is built on)
// whether the plain value of `k: v` is something else than a string.
func v2NonString(v string) bool {
	var m map[string]any
	if err := yaml2.Unmarshal([]byte("k: "+v), &m); err != nil {
		return true
	}
	_, isString := m["k"].(string)
	return !isString
}

var yaml11Samples = []string{
	"yes", "Yes", "no", "on", "OFF", "y", "n", "true", "False", "~", "null", "NULL", ".inf", "-.Inf", ".nan", "<<",
	"0", "12", "-3", "+4", "0777", "0x1F", "0b101", "-0b11", "1_000", "1e3", "1.5", ".5", "-1.5e-3", "1.",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "1:20", "190:20:30", "0o17", "1__2",
	"", "x", "yes!", "nope", "--fail", "-fsS", "1.8.2", "100m", "128Mi", "v1", "8080/TCP", "12:00", "1e", "0x", "0bxyz",
	"busybox:1.37", "true story", ".git", "+", "-", "_1", "1_", "99999999999999999999", "-99999999999999999999",
	"18446744073709551615", "18446744073709551616", "0.0.0.0", "Infinity", "NaN", "1e309", "0B11", "0X1f",
}

// plainScalar reports whether v, written plain, is a single scalar.
func plainScalar(v string) bool {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+v), &n); err != nil || len(n.Content) == 0 {
		return false
	}
	val := mapGet(n.Content[0], "k")
	return val != nil && val.Kind == yaml.ScalarNode && val.Value == v
}

// TestYAML11NonString checks the fast resolver against go-yaml v2 itself
// for every value that can be written plain.
func TestYAML11NonString(t *testing.T) {
	for _, v := range yaml11Samples {
		if !plainScalar(v) {
			continue
		}
		if got, want := yaml11NonString(v), v2NonString(v); got != want {
			t.Errorf("yaml11NonString(%q) = %v, go-yaml v2 says %v", v, got, want)
		}
	}
}

func FuzzYAML11NonString(f *testing.F) {
	for _, v := range yaml11Samples {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > 40 {
			return
		}
		if !plainScalar(v) {
			return
		}
		if got, want := yaml11NonString(v), v2NonString(v); got != want {
			t.Fatalf("yaml11NonString(%q) = %v, go-yaml v2 says %v", v, got, want)
		}
	})
}
