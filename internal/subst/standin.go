package subst

import (
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// StandIn is a value of type t, put for a parameter when a template is
// checked on its own, without a hook to give it.
func StandIn(t hookspec.ParamType) *yaml.Node {
	switch t {
	case hookspec.ParamInt:
		return yamlio.NewInt(1)
	case hookspec.ParamBool:
		return yamlio.NewBool(true)
	case hookspec.ParamList:
		return yamlio.NewSeq()
	case hookspec.ParamMap:
		return nil // fields of a map are open: see lookup
	case hookspec.ParamSecretKeyRef:
		return yamlio.NewMap("secret", yamlio.NewStr("s"), "key", yamlio.NewStr("k"))
	case hookspec.ParamKeyRef:
		// Both kinds at once, so that a template's items for either are
		// checked (a value names one).
		return yamlio.NewMap("configMap", yamlio.NewStr("c"), "secret", yamlio.NewStr("s"), "key", yamlio.NewStr("k"))
	}
	return yamlio.NewStr("x")
}
