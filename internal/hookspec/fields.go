package hookspec

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
)

// Kubernetes' own field names, for messages about a field put where
// hookgen does not take it.
var (
	podFieldNames = []string{
		"activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers",
		"dnsConfig", "dnsPolicy", "enableServiceLinks", "ephemeralContainers", "hostAliases",
		"hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname", "hostnameOverride",
		"imagePullSecrets", "initContainers", "nodeName", "nodeSelector", "os", "overhead",
		"preemptionPolicy", "priority", "priorityClassName", "readinessGates", "resourceClaims",
		"resources", "restartPolicy", "runtimeClassName", "schedulerName", "schedulingGates",
		"securityContext", "serviceAccount", "serviceAccountName", "setHostnameAsFQDN",
		"shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds", "tolerations",
		"topologySpreadConstraints", "volumes",
	}
	ContainerFieldNames = []string{
		"args", "command", "env", "envFrom", "image", "imagePullPolicy", "lifecycle",
		"livenessProbe", "name", "ports", "readinessProbe", "resizePolicy", "resources",
		"restartPolicy", "restartPolicyRules", "securityContext", "startupProbe", "stdin", "stdinOnce",
		"terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices",
		"volumeMounts", "workingDir",
	}
	jobFieldNames = []string{
		"backoffLimitPerIndex", "completionMode", "completions", "managedBy", "manualSelector",
		"maxFailedIndexes", "parallelism", "podFailurePolicy", "podReplacementPolicy",
		"selector", "successPolicy", "suspend", "template",
	}
)

// KubeFieldHint says where a Kubernetes field that is not a hook field
// goes, or "" when name is no Kubernetes field hookgen knows of. hookField
// reports whether the hook has a field of that name.
func KubeFieldHint(name string, hookField func(string) bool) string {
	if hookField(name) {
		return fmt.Sprintf("%s: use the hook field %s", name, name)
	}
	switch name {
	case "securityContext":
		return "securityContext: hookgen hardens the pod; choose the user and groups, or opt out, under hardening (runAsUser, runAsGroup, fsGroup, runAsNonRoot, ...)"
	case "automountServiceAccountToken":
		return "automountServiceAccountToken: use hardening.automountServiceAccountToken"
	case "serviceAccount":
		return "serviceAccount: use the hook field serviceAccountName"
	case "volumes", "volumeMounts":
		return name + ": for a writable directory use the hook field writablePaths; other volumes go through the template's parameters (with:) or a raw job:"
	case "containers":
		return "containers: add a container with the hook field extraContainers"
	case "metadata":
		return "metadata: use labels and annotations (the Job) or podLabels and podAnnotations (the pod)"
	case "ttlSecondsAfterFinished", "backoffLimit":
		return name + ": use the hook field " + name
	}
	switch {
	case slices.Contains(ContainerFieldNames, name):
		return name + " is a container field: set it through the template's parameters (with:), or use job: (a raw JobSpec) or a template that sets it"
	case slices.Contains(podFieldNames, name):
		return name + " is a pod field: use job: (a raw JobSpec) or a template that sets it"
	case slices.Contains(jobFieldNames, name):
		return name + " is a Job field: use job: (a raw JobSpec) or a template that sets it"
	}
	return ""
}

// knobNames are the json names of Knobs' fields and of Hook's, made on
// first use: only a message about an unknown field needs them.
var knobNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, f := range StructFields(reflect.TypeOf(Hook{})) {
		m[f.Name] = true
	}
	return m
})

// IsHookField reports whether name is a field of a hook.
func IsHookField(name string) bool { return knobNames()[name] }

// UnknownFieldHint is what decoding a hook or a set's defaults says
// about a field it does not know.
func (*Hook) UnknownFieldHint(name string) string { return KubeFieldHint(name, IsHookField) }

// UnknownFieldHint is what decoding a set's defaults says about an unknown field.
func (*Defaults) UnknownFieldHint(name string) string {
	if IsHookField(name) {
		return name + " is set on each hook, not under defaults"
	}
	return KubeFieldHint(name, IsHookField)
}
