package hookset

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The pod fields real charts give their hook Jobs, as hook fields: they
// hold on every hook whatever its template, merge like the other knobs
// (the set's defaults, then farther files, then nearer ones) and are
// judged by the policy on the finished Job like everything else.

// The user and group a hardened pod runs as unless the hook, or the
// template's pod, names others. An image whose USER is root or a name
// cannot start under runAsNonRoot without a numeric user: the kubelet
// cannot prove a name is not root and refuses the container ("container
// has runAsNonRoot and image will run as root"), and the Job then waits
// for its deadline. 65532 is the "nonroot" user of distroless images, a
// uid no distribution hands out; the group is set too, so the process
// never runs with group 0.
const (
	DefaultRunAsUser  = 65532
	DefaultRunAsGroup = 65532
)

// Limits and names of the writable paths.
const (
	// MaxWritablePaths bounds writablePaths: each is an emptyDir.
	MaxWritablePaths = 16
	// WritableVolume prefixes the volume names: hookgen-writable-0, -1, ...
	WritableVolume = "hookgen-writable-"
	// EmptyDirLimit is the size limit of /tmp and of each writable path.
	EmptyDirLimit = "64Mi"
	// maxID is the largest user or group ID Kubernetes accepts.
	maxID = 2147483647
)

// HookField is one field every hook takes, for `templates show`, the
// docs and the init scaffold.
type HookField struct {
	Name string
	// Example is the field as YAML, on one line.
	Example string
	Text    string
}

// HookFields lists the fields of a hook besides name, uses, job and with,
// in the order the docs give them.
var HookFields = []HookField{
	{"phase", "phase: [PostSync, SyncFail]", "one phase or a list; one Job per phase"},
	{"wave", "wave: -1", "argocd.argoproj.io/sync-wave"},
	{"deletePolicy", "deletePolicy: [BeforeHookCreation, HookSucceeded]", "argocd.argoproj.io/hook-delete-policy"},
	{"enabled", "enabled: false", "false turns the hook off (a nearer hookgen.yaml, or the Application's enable parameter, turns it on)"},
	{"namespace", "namespace: ops", "where the Job runs; default: the Application's destination namespace"},
	{"generateName", "generateName: true", "a fresh Job every sync instead of a fixed name"},
	{"activeDeadlineSeconds", "activeDeadlineSeconds: 600", "the Job's deadline (default 600)"},
	{"backoffLimit", "backoffLimit: 1", "retries before the Job fails (default 1)"},
	{"ttlSecondsAfterFinished", "ttlSecondsAfterFinished: 3600", "delete the Job this long after it finished"},
	{"serviceAccountName", "serviceAccountName: deployer", "the pod's service account (its token is then mounted)"},
	{"resources", "resources: {requests: {cpu: 100m}}", "requests and limits of every container"},
	{"nodeSelector", "nodeSelector: {pool: ops}", "the pod's node selector"},
	{"tolerations", "tolerations: [{key: dedicated, operator: Exists}]", "the pod's tolerations"},
	{"affinity", "affinity: {nodeAffinity: {...}}", "the pod's affinity"},
	{"priorityClassName", "priorityClassName: batch-low", "the pod's priority class"},
	{"podLabels", "podLabels: {team: payments}", "labels on the pod"},
	{"podAnnotations", "podAnnotations: {sidecar.istio.io/inject: \"false\"}", "annotations on the pod"},
	{"labels", "labels: {team: payments}", "labels on the Job itself"},
	{"annotations", "annotations: {owner: payments}", "annotations on the Job itself (Argo CD's have fields of their own)"},
	{"syncOptions", "syncOptions: [Prune=false]", "argocd.argoproj.io/sync-options of the Job"},
	{"env", "env: [{name: LOG_LEVEL, value: debug}]", "environment of every container"},
	{"imagePullPolicy", "imagePullPolicy: IfNotPresent", "Always, IfNotPresent or Never, on every container"},
	{"imagePullSecrets", "imagePullSecrets: [{name: regcred}]", "Secrets to pull the images with"},
	{"initContainers", "initContainers: [{name: wait, image: busybox:1.37, command: [...]}]", "containers run first, hardened like the template's"},
	{"extraContainers", "extraContainers: [{name: proxy, image: ..., args: [...]}]", "containers beside the template's, hardened like them"},
	{"restartPolicy", "restartPolicy: OnFailure", "Never (default) or OnFailure: the pod restarts a failed container in place, and backoffLimit counts container restarts"},
	{"writablePaths", "writablePaths: [/var/log/app]", "an emptyDir each (64Mi), mounted in every container; the root stays read-only and /tmp is always writable"},
	{"hardening", "hardening: {runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000}", "the pod's user (default 65532), group (default 65532) and fsGroup (default none), and opt-outs of the hardened pod: runAsNonRoot, seccompProfile, allowPrivilegeEscalation, dropAllCapabilities, readOnlyRootFilesystem, automountServiceAccountToken"},
}

// OwnHookFields are the fields that say what a hook is rather than how
// its pod runs: no hint names them for a template parameter.
var OwnHookFields = []string{"name", "uses", "job", "with"}

// Argo CD's annotations a Job's own annotations may not set, and the
// field that sets each.
var reservedAnnotations = []struct{ key, field string }{
	{hookspec.AnnotationHookDeletePolicy, "deletePolicy"},
	{hookspec.AnnotationHook, "phase"},
	{hookspec.AnnotationSyncWave, "wave"},
	{hookspec.AnnotationSyncOptions, "syncOptions"},
	{"helm.sh/hook-delete-policy", "deletePolicy"},
	{"helm.sh/hook-weight", "wave"},
	{"helm.sh/hook", "phase"},
}

// checkFields checks the pod fields of a hook or of the set's defaults on
// their own; what depends on the template is checked on the Job.
func checkFields(d *hookspec.Decoder, k *hookspec.Knobs, src hookspec.Source) {
	add := func(field, format string, args ...any) {
		d.Ps.Add(src.At(field), d.Hook, format, args...)
	}
	if v := k.ImagePullPolicy; v != nil && !slices.Contains([]string{"Always", "IfNotPresent", "Never"}, *v) {
		add("imagePullPolicy", "imagePullPolicy must be Always, IfNotPresent or Never, not %q", *v)
	}
	if v := k.RestartPolicy; v != nil && *v != "Never" && *v != "OnFailure" {
		add("restartPolicy", "restartPolicy must be Never or OnFailure, not %q: a Job's pod never restarts Always", *v)
	}
	for i, s := range k.ImagePullSecrets {
		if !IsDNSSubdomain(s.Name) {
			add("imagePullSecrets", "imagePullSecrets[%d]: name %q is not a Secret name (a DNS-1123 subdomain)", i, subst.Clip(s.Name, 80))
		}
	}
	if a := k.Affinity; a != nil {
		if a.Kind != yaml.MappingNode {
			add("affinity", "affinity must be a mapping (nodeAffinity, podAffinity, podAntiAffinity), not %s", yamlio.KindName(a))
		} else {
			for i := 0; i+1 < len(a.Content); i += 2 {
				key := a.Content[i].Value
				if !slices.Contains([]string{"nodeAffinity", "podAffinity", "podAntiAffinity"}, key) {
					d.Errorf(a.Content[i], "affinity: unknown field %q%s", key, hookspec.Suggest(key, []string{"nodeAffinity", "podAffinity", "podAntiAffinity"}))
				}
			}
		}
	}
	if v := k.PriorityClassName; v != nil && !strings.Contains(*v, "$(") && !IsDNSSubdomain(*v) {
		add("priorityClassName", "priorityClassName %q is not a DNS-1123 subdomain", subst.Clip(*v, 80))
	}
	for _, list := range []struct {
		field string
		items []*yaml.Node
	}{{"initContainers", k.InitContainers}, {"extraContainers", k.ExtraContainers}} {
		names := map[string]bool{}
		for i, c := range list.items {
			checkContainerNode(d, list.field, i, c)
			if n := yamlio.MapGet(c, "name"); n != nil && n.Kind == yaml.ScalarNode {
				if names[n.Value] {
					d.Errorf(n, "%s[%d]: container name %q is used twice", list.field, i, n.Value)
				}
				names[n.Value] = true
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(k.Labels)) {
		if key == hookspec.LabelManagedBy || key == hookspec.LabelHook {
			add("labels."+key, "labels: %s is hookgen's own label", key)
		} else if msg := CheckLabel(key, k.Labels[key]); msg != "" && !strings.Contains(k.Labels[key], "$(") {
			add("labels."+key, "labels: %s", msg)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(k.Annotations)) {
		if msg := ReservedAnnotation(key); msg != "" {
			add("annotations."+key, "annotations: %s", msg)
		} else if msg := CheckQualifiedName(key); msg != "" {
			add("annotations."+key, "annotations: key %q %s", key, msg)
		}
	}
	CheckSyncOptions(k.SyncOptions, "Prune=false", func(format string, args ...any) {
		add("syncOptions", format, args...)
	})
	checkWritablePaths(k.WritablePaths, func(i int, format string, args ...any) {
		add("writablePaths."+strconv.Itoa(i), format, args...)
	})
	if h := k.Hardening; h != nil {
		for _, id := range []struct {
			field string
			v     *int64
		}{{"runAsUser", h.RunAsUser}, {"runAsGroup", h.RunAsGroup}, {"fsGroup", h.FSGroup}} {
			if id.v != nil && (*id.v < 0 || *id.v > maxID) {
				add("hardening."+id.field, "hardening.%s must be between 0 and %d", id.field, maxID)
			}
		}
	}
}

// ReservedAnnotation says why a Job's own annotations may not set key, or "".
func ReservedAnnotation(key string) string {
	for _, r := range reservedAnnotations {
		switch {
		case key == r.key && strings.HasPrefix(key, "helm.sh/"):
			return fmt.Sprintf("%s makes Argo CD read the Job as a Helm hook: use the hook field %s", key, r.field)
		case key == r.key:
			return fmt.Sprintf("%s is Argo CD's hook annotation: use the hook field %s", key, r.field)
		}
	}
	switch {
	case strings.HasPrefix(key, "argocd.argoproj.io/hook"):
		return fmt.Sprintf("%s is Argo CD's hook annotation: hookgen writes the hook's own (phase, deletePolicy)", key)
	case strings.HasPrefix(key, "helm.sh/hook"):
		return fmt.Sprintf("%s makes Argo CD read the Job as a Helm hook: use phase, deletePolicy and wave", key)
	case key == hookspec.AnnotationTemplate:
		return fmt.Sprintf("%s is hookgen's own annotation", key)
	}
	return ""
}

// checkWritablePaths checks the writable directories: absolute, clean,
// not the root, each once, and not too many.
func checkWritablePaths(paths []string, fail func(i int, format string, args ...any)) {
	if len(paths) > MaxWritablePaths {
		fail(MaxWritablePaths, "writablePaths: at most %d paths, found %d", MaxWritablePaths, len(paths))
	}
	seen := map[string]bool{}
	for i, p := range paths {
		switch {
		case !strings.HasPrefix(p, "/"):
			fail(i, "writablePaths: %q must be an absolute path", p)
		case p == "/":
			fail(i, "writablePaths: / would make the whole root writable: name the directories the app writes, or set hardening.readOnlyRootFilesystem: false")
		case path.Clean(p) != p:
			fail(i, "writablePaths: %q is not a clean path: write %q", p, path.Clean(p))
		case p == "/tmp":
			fail(i, "writablePaths: /tmp is always writable; remove it")
		case strings.ContainsAny(p, ":$\n"):
			fail(i, "writablePaths: %q may not hold ':', '$' or a newline", p)
		case seen[p]:
			fail(i, "writablePaths: %s is listed twice", p)
		}
		seen[p] = true
	}
}

// checkContainerNode checks one of initContainers or extraContainers on
// its own: a mapping of container fields with a name and an image.
func checkContainerNode(d *hookspec.Decoder, field string, i int, c *yaml.Node) {
	if c == nil || c.Kind != yaml.MappingNode {
		if c != nil {
			d.Errorf(c, "%s[%d] must be a container (a mapping), not %s", field, i, yamlio.KindName(c))
		}
		return
	}
	for j := 0; j+1 < len(c.Content); j += 2 {
		key := c.Content[j].Value
		if !slices.Contains(hookspec.ContainerFieldNames, key) {
			d.Errorf(c.Content[j], "%s[%d]: unknown container field %q%s", field, i, key, hookspec.Suggest(key, hookspec.ContainerFieldNames))
		}
	}
	if n := yamlio.MapGet(c, "name"); n == nil || n.Kind != yaml.ScalarNode || (!IsDNSLabel(n.Value) && !strings.Contains(n.Value, "$(")) {
		d.Errorf(c, "%s[%d] needs a name that is a DNS-1123 label", field, i)
	}
	if img := yamlio.MapGet(c, "image"); img == nil || img.Kind != yaml.ScalarNode || strings.TrimSpace(img.Value) == "" {
		d.Errorf(c, "%s[%d] needs an image", field, i)
	}
}

// AddWritableMounts mounts the writable paths in a container, except where
// it mounts something itself.
func AddWritableMounts(c *yaml.Node, paths []string) {
	mounts := yamlio.MapGet(c, "volumeMounts")
	if mounts == nil || mounts.Kind != yaml.SequenceNode {
		mounts = yamlio.NewSeq()
		yamlio.MapSet(c, "volumeMounts", mounts)
	}
	for i, p := range paths {
		taken := false
		for _, m := range mounts.Content {
			taken = taken || strings.TrimRight(yamlio.Str(yamlio.ValueOf(yamlio.MapGet(m, "mountPath"))), "/") == p
		}
		if !taken {
			mounts.Content = append(mounts.Content, yamlio.NewMap("name", yamlio.NewStr(WritableVolume+strconv.Itoa(i)), "mountPath", yamlio.NewStr(p)))
		}
	}
}

// AddWritableVolumes adds the emptyDirs behind the writable paths.
func AddWritableVolumes(podSpec *yaml.Node, paths []string) {
	vols := yamlio.MapGet(podSpec, "volumes")
	if vols == nil || vols.Kind != yaml.SequenceNode {
		vols = yamlio.NewSeq()
		yamlio.MapSet(podSpec, "volumes", vols)
	}
	for i := range paths {
		vols.Content = append(vols.Content, yamlio.NewMap("name", yamlio.NewStr(WritableVolume+strconv.Itoa(i)), "emptyDir", yamlio.NewMap("sizeLimit", yamlio.NewStr(EmptyDirLimit))))
	}
}
