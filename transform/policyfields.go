package transform

import (
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// checkPodFields applies the rules about the pod fields hooks set for
// themselves (priorityClassName, writablePaths, the pod's groups) to the
// finished pod spec.
func (p *HookPolicy) checkPodFields(podSpec *yaml.Node, pods *PodRules, fail violation) {
	if pc := mapGet(podSpec, "priorityClassName"); pc != nil && pc.Value != "" && !p.open && !p.matchGlobs(pods.PriorityClasses, pc.Value) {
		fail(pc, "pods.priorityClasses", "priority class %q is not allowed: a high priority lets a hook evict other pods%s", pc.Value, allowedHint(pods.PriorityClasses))
	}
	if !pods.AllowRoot {
		psc := mapGet(podSpec, "securityContext")
		for _, key := range []string{"runAsGroup", "fsGroup"} {
			if v := mapGet(psc, key); v != nil && v.Value == "0" {
				fail(v, "pods.allowRoot", "%s 0 (root's group) is not allowed", key)
			}
		}
		for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
			for _, c := range contentOf(mapGet(podSpec, list)) {
				if v := mapPath(c, "securityContext", "runAsGroup"); v != nil && v.Value == "0" {
					fail(v, "pods.allowRoot", "container %q: runAsGroup 0 (root's group) is not allowed", nodeValue(mapGet(c, "name")))
				}
			}
		}
	}
	if b := p.Spec.Bounds; b != nil && b.MaxWritablePaths != nil {
		n := 0
		for _, vol := range contentOf(mapGet(podSpec, "volumes")) {
			if strings.HasPrefix(nodeValue(mapGet(vol, "name")), writableVolume) {
				n++
			}
		}
		if n > *b.MaxWritablePaths {
			fail(nil, "bounds.maxWritablePaths", "%d writablePaths are above the limit of %d", n, *b.MaxWritablePaths)
		}
	}
}
