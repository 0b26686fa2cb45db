package podsec

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzRestricted feeds arbitrary JSON. Whatever the shape, Restricted must
// not panic, must give the same answer twice, and every violation must
// name a field under metadata or spec, a known check and a message, in
// the documented order: type errors, then the checks in Checks order.
// (Agreement with the library is the test module's differential test.)
func FuzzRestricted(f *testing.F) {
	f.Add(base)
	f.Add(`{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/a":"unconfined","b":1}},"spec":{"hostNetwork":"true","containers":[null,{"securityContext":[]}],"volumes":[{"hostPath":{}},{"emptyDir":1}]}}`)
	f.Add(`{"spec":{"securityContext":{"runAsUser":-0,"sysctls":[{"name":"kernel.msgmax"},null]},"initContainers":[{"ports":[{"hostPort":1e3}]}],"ephemeralContainers":{}}}`)
	f.Add(`{"spec":{"os":{"name":"windows"},"hostUsers":false,"containers":[{"securityContext":{"procMount":"","capabilities":{"add":[null],"drop":"ALL"}}}]}}`)
	f.Fuzz(func(t *testing.T, text string) {
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var doc map[string]any
		if dec.Decode(&doc) != nil {
			return
		}
		meta, _ := doc["metadata"].(map[string]any)
		spec, _ := doc["spec"].(map[string]any)
		got := Restricted(meta, spec)
		if again := Restricted(meta, spec); !reflect.DeepEqual(got, again) {
			t.Fatalf("not deterministic:\n%v\n%v", got, again)
		}
		order := append([]string{CheckType}, Checks()...)
		last := 0
		for _, v := range got {
			i := slices.Index(order, v.Check)
			if i < 0 {
				t.Fatalf("unknown check in %v", v)
			}
			if i < last {
				t.Fatalf("%v out of order in %v", v, got)
			}
			last = i
			if !strings.HasPrefix(v.Field, "spec.") && !strings.HasPrefix(v.Field, "metadata.annotations") || v.Message == "" {
				t.Fatalf("bad violation %+v", v)
			}
		}
	})
}
