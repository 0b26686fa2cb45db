// Package podsec judges a pod against the Kubernetes Pod Security
// Standards at level "restricted", version "latest", the way
// k8s.io/pod-security-admission v0.37 does, without depending on it.
//
// # Input
//
// Restricted takes the pod's metadata and its PodSpec in the JSON value
// model that encoding/json's Decoder yields with UseNumber:
// map[string]any, []any, string, json.Number, bool and nil. That is the
// form hookgen judges: the object as the API server decodes it, not the
// text a user wrote. Keys match case-sensitively, as the API server's
// decoder matches them; unknown keys are ignored, as the API server drops
// them. A null value means "not set", as it does for the API server.
//
// # Checks
//
// Every check that level restricted runs at version latest, under the
// check ids the library uses: the baseline checks appArmorProfile,
// hostNamespaces, hostPorts, hostProbesAndHostLifecycle, privileged,
// seLinuxOptions, sysctls and windowsHostProcess, and the restricted
// checks allowPrivilegeEscalation, capabilities_restricted,
// procMount_restricted, restrictedVolumes, runAsNonRoot, runAsUser and
// seccompProfile_restricted (which replace capabilities_baseline,
// hostPathVolumes, procMount and seccompProfile_baseline). Init and
// ephemeral containers are judged like containers. A pod with
// spec.os.name "windows" is exempt from allowPrivilegeEscalation,
// capabilities_restricted and seccompProfile_restricted; a pod with
// spec.hostUsers false from runAsNonRoot and runAsUser, as in the library.
//
// # Types
//
// A value of the wrong JSON type on a field the checks read (a string
// where a boolean is expected, 1.0 or 1e3 for an integer, an integer out
// of its field's range, an object where a list is expected) makes the API
// server reject the whole object. Restricted reports it as a Violation
// with Check "type" and then judges the pod as if the field were not set,
// so the verdict is never "allowed" for an object the server would not
// decode. Fields that no check reads are not type-checked: the server
// rejects those objects on its own.
//
// # Output
//
// The violations come in a fixed order: type errors first, then the
// checks in the library's order (baseline ids sorted, then restricted ids
// sorted), and within a check pod-level fields first, then init
// containers, containers and ephemeral containers in order. An empty
// result means the pod is allowed. Values from the pod (names, hosts,
// profiles, odd annotation keys) appear Go-quoted, so a control character
// never reaches a terminal or Argo CD's UI raw.
//
// The test module holds the judge for this package: a differential test
// and a fuzz target that compare Restricted with the library on generated
// pods.
package podsec
