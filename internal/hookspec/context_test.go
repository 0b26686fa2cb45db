package hookspec

import (
	"testing"
)

func TestParseArgoCDVersion(t *testing.T) {
	for in, want := range map[string]ArgoCDVersion{"3.3": {Major: 3, Minor: 3}, "v2.14.21": {Major: 2, Minor: 14}, "3.3.10+abc123": {Major: 3, Minor: 3}, "v3.0.0-rc1": {Major: 3, Minor: 0}, "10.1": {Major: 10, Minor: 1}} {
		if got, err := ParseArgoCDVersion(in); err != nil || got != want {
			t.Errorf("ParseArgoCDVersion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "3", "three", "3.x", "1.8", "3.03", "3.3.1.1", "-3.3", "3..3"} {
		if got, err := ParseArgoCDVersion(in); err == nil {
			t.Errorf("ParseArgoCDVersion(%q) = %v, want an error", in, got)
		}
	}
}
