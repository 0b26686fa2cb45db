package hookset

import (
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// TestKeyRefPlaceholders: a template reads a keyRef's element by its
// fields; an item for the other kind of object is dropped, a field that
// is none of them is an error.
func TestKeyRefPlaceholders(t *testing.T) {
	tmpl := func(arg string) string {
		return `apiVersion: hookgen.dev/v1alpha1
kind: HookTemplate
metadata: {name: t}
spec:
  params:
    - {name: ca, type: keyRef}
  job:
    template:
      spec:
        containers:
          - name: c
            image: x:1
            args: ["` + arg + `"]
`
	}
	tests := []struct {
		arg, want string
	}{
		{"--cm=$(params.ca[*].configMap)", ""},
		{"--s=$(params.ca[*].secret) --k=$(params.ca[*].key)", ""},
		{"--n=$(params.ca[*].name)", `$(params.ca[*].name): the element of keyRef parameter "ca" is the reference: use $(params.ca[*].configMap) or $(params.ca[*].secret), and $(params.ca[*].key)`},
		{"--n=$(params.ca.name)", `$(params.ca.name): parameter "ca" has no field "name"`},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			ps := &problem.Collector{}
			ParseTemplates("t.yaml", []byte(tmpl(tt.arg)), OriginRepo, yamlio.DefaultLimits(), ps)
			err := ps.Err()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}
