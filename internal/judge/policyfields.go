package judge

import (
	"strings"

	"github.com/hookgen/hookgen/internal/hookpolicy"
	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/yamlio"
)

// judgePodFields applies the rules about the pod fields hooks set for
// themselves (priorityClassName, writablePaths, the pod's groups) to the
// finished pod spec at path at, by the values Kubernetes decodes.
func judgePodFields(p *hookpolicy.HookPolicy, spec map[string]any, at hookpolicy.Path, pods *hookpolicy.PodRules, fail hookpolicy.Verdict) {
	if pc, ok := spec["priorityClassName"]; ok && pc != nil && !p.Open() {
		name, isStr := pc.(string)
		if !isStr || (name != "" && !p.MatchGlobs(pods.PriorityClasses, name)) {
			fail(at.With("priorityClassName"), "pods.priorityClasses", "priority class %q is not allowed: a high priority lets a hook evict other pods%s", name, hookpolicy.AllowedHint(pods.PriorityClasses))
		}
	}
	if !pods.AllowRoot {
		psc := yamlio.Obj(spec["securityContext"])
		for _, key := range []string{"runAsGroup", "fsGroup"} {
			if yamlio.IsZero(psc[key]) {
				fail(at.With("securityContext", key), "pods.allowRoot", "%s 0 (root's group) is not allowed", key)
			}
		}
		for _, key := range []string{"initContainers", "containers", "ephemeralContainers"} {
			for i, c := range yamlio.List(spec[key]) {
				if yamlio.IsZero(yamlio.Get(c, "securityContext", "runAsGroup")) {
					fail(at.With(key, i, "securityContext", "runAsGroup"), "pods.allowRoot", "container %q: runAsGroup 0 (root's group) is not allowed", yamlio.Str(yamlio.Get(c, "name")))
				}
			}
		}
	}
	if b := p.Spec.Bounds; b != nil && b.MaxWritablePaths != nil {
		n := 0
		for _, vol := range yamlio.List(spec["volumes"]) {
			if strings.HasPrefix(yamlio.Str(yamlio.Get(vol, "name")), hookset.WritableVolume) {
				n++
			}
		}
		if n > *b.MaxWritablePaths {
			fail(nil, "bounds.maxWritablePaths", "%d writablePaths are above the limit of %d", n, *b.MaxWritablePaths)
		}
	}
}
