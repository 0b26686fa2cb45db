package judge

import (
	"fmt"
	"testing"

	"github.com/hookgen/hookgen/internal/hookpolicy"
)

func TestFieldPath(t *testing.T) {
	at := hookpolicy.Path{"spec", "template", "spec"}
	for field, want := range map[string]string{
		"spec.containers[0].securityContext.privileged":                          "[spec template spec containers 0 securityContext privileged]",
		"metadata.annotations[container.apparmor.security.beta.kubernetes.io/c]": "[spec template metadata annotations container.apparmor.security.beta.kubernetes.io/c]",
		"spec.hostNetwork": "[spec template spec hostNetwork]",
	} {
		if got := fmt.Sprint(FieldPath(at, field)); got != want {
			t.Errorf("fieldPath(%q) = %s, want %s", field, got, want)
		}
	}
}
