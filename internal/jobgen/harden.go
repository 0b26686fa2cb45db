package jobgen

import (
	"strings"

	"github.com/hookgen/hookgen/internal/hookset"
	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Hardened holds the hardened settings in force for a hook.
type Hardened struct {
	RunAsNonRoot, Seccomp, NoEscalation, DropAll, ReadOnlyRoot, Automount bool
	runAsUser, runAsGroup, fsGroup                                        *int64
}

// HardeningOf is the hardening in force for a hook; hasSA says its pod
// names a service account.
func HardeningOf(k *hookspec.Knobs, hasSA bool) Hardened {
	h := k.Hardening
	if h == nil {
		h = &hookspec.Hardening{}
	}
	return Hardened{
		RunAsNonRoot: derefOr(h.RunAsNonRoot, true),
		Seccomp:      derefOr(h.SeccompProfile, "RuntimeDefault") == "RuntimeDefault",
		NoEscalation: !derefOr(h.AllowPrivilegeEscalation, false),
		DropAll:      derefOr(h.DropAllCapabilities, true),
		ReadOnlyRoot: derefOr(h.ReadOnlyRootFilesystem, true),
		Automount:    derefOr(h.AutomountServiceAccountToken, hasSA),
		runAsUser:    h.RunAsUser,
		runAsGroup:   h.RunAsGroup,
		fsGroup:      h.FSGroup,
	}
}

// isStringNode reports whether Kubernetes reads a string in n.
func isStringNode(n *yaml.Node) bool {
	_, ok := yamlio.ValueOf(n).(string)
	return ok
}

const optOut = "; hookgen hardens hook pods: set hardening.%s: %s in the hook to opt out"

// hardenPod hardens the pod's own settings. It reports whether the pod
// runs as hookgen's default user: while runAsNonRoot is on, a pod that
// names no user (the hook's hardening.runAsUser, or the template's pod
// securityContext) runs as DefaultRunAsUser, and one that names no group
// as DefaultRunAsGroup, so that images whose USER is root or a name start.
func hardenPod(podSpec *yaml.Node, hard Hardened, fail func(*yaml.Node, string, ...any)) (defaultUser bool) {
	if am := yamlio.MapGet(podSpec, "automountServiceAccountToken"); yamlio.IsTrue(yamlio.ValueOf(am)) && !hard.Automount {
		fail(am, "automountServiceAccountToken is true without a service account"+optOut, "automountServiceAccountToken", "true")
	}
	yamlio.MapSet(podSpec, "automountServiceAccountToken", yamlio.NewBool(hard.Automount))
	sc := yamlio.MapEnsure(podSpec, "securityContext")
	if hard.RunAsNonRoot {
		if v := yamlio.MapGet(sc, "runAsNonRoot"); yamlio.IsFalse(yamlio.ValueOf(v)) {
			fail(v, "the pod sets runAsNonRoot: false"+optOut, "runAsNonRoot", "false")
		}
		if v := yamlio.MapGet(sc, "runAsUser"); yamlio.IsZero(yamlio.ValueOf(v)) {
			fail(v, "the pod runs as user 0 (root)"+optOut, "runAsNonRoot", "false")
		}
		yamlio.MapSet(sc, "runAsNonRoot", yamlio.NewBool(true))
	}
	switch {
	case hard.runAsUser != nil:
		yamlio.MapSet(sc, "runAsUser", yamlio.NewInt(*hard.runAsUser))
	case hard.RunAsNonRoot && yamlio.MapGet(sc, "runAsUser") == nil:
		yamlio.MapSet(sc, "runAsUser", yamlio.NewInt(hookset.DefaultRunAsUser))
		defaultUser = true
	}
	switch {
	case hard.runAsGroup != nil:
		yamlio.MapSet(sc, "runAsGroup", yamlio.NewInt(*hard.runAsGroup))
	case hard.RunAsNonRoot && yamlio.MapGet(sc, "runAsGroup") == nil:
		yamlio.MapSet(sc, "runAsGroup", yamlio.NewInt(hookset.DefaultRunAsGroup))
	}
	if hard.fsGroup != nil {
		yamlio.MapSet(sc, "fsGroup", yamlio.NewInt(*hard.fsGroup))
	}
	if hard.Seccomp {
		prof := yamlio.MapGet(sc, "seccompProfile")
		switch t := yamlio.MapGet(prof, "type"); yamlio.Str(yamlio.ValueOf(t)) {
		case "RuntimeDefault", "Localhost":
		default:
			if t == nil {
				yamlio.MapSet(sc, "seccompProfile", yamlio.NewMap("type", yamlio.NewStr("RuntimeDefault")))
				break
			}
			fail(t, "the pod sets seccompProfile %v"+optOut, yamlio.ValueOf(t), "seccompProfile", "Unconfined")
		}
	}
	return defaultUser
}

func hardenContainer(c *yaml.Node, name string, hard Hardened, fail func(*yaml.Node, string, ...any)) {
	sc := yamlio.MapEnsure(c, "securityContext")
	if v := yamlio.MapGet(sc, "privileged"); yamlio.IsTrue(yamlio.ValueOf(v)) && hard.NoEscalation {
		fail(v, "container %q is privileged"+optOut, name, "allowPrivilegeEscalation", "true")
	}
	if hard.NoEscalation {
		if v := yamlio.MapGet(sc, "allowPrivilegeEscalation"); yamlio.IsTrue(yamlio.ValueOf(v)) {
			fail(v, "container %q sets allowPrivilegeEscalation: true"+optOut, name, "allowPrivilegeEscalation", "true")
		}
		yamlio.MapSet(sc, "allowPrivilegeEscalation", yamlio.NewBool(false))
	}
	if hard.DropAll {
		caps := yamlio.MapEnsure(sc, "capabilities")
		if add := yamlio.MapGet(caps, "add"); add != nil && add.Kind == yaml.SequenceNode {
			for _, c := range add.Content {
				if v := yamlio.ValueOf(c); yamlio.Str(v) != "NET_BIND_SERVICE" {
					fail(c, "container %q adds capability %v"+optOut, name, v, "dropAllCapabilities", "false")
				}
			}
		}
		yamlio.MapSet(caps, "drop", yamlio.NewSeq(yamlio.NewStr("ALL")))
	}
	if hard.ReadOnlyRoot {
		if v := yamlio.MapGet(sc, "readOnlyRootFilesystem"); yamlio.IsFalse(yamlio.ValueOf(v)) {
			fail(v, "container %q sets readOnlyRootFilesystem: false"+optOut, name, "readOnlyRootFilesystem", "false")
		}
		yamlio.MapSet(sc, "readOnlyRootFilesystem", yamlio.NewBool(true))
	}
	if hard.RunAsNonRoot {
		if v := yamlio.MapGet(sc, "runAsNonRoot"); yamlio.IsFalse(yamlio.ValueOf(v)) {
			fail(v, "container %q sets runAsNonRoot: false"+optOut, name, "runAsNonRoot", "false")
		}
		if v := yamlio.MapGet(sc, "runAsUser"); yamlio.IsZero(yamlio.ValueOf(v)) {
			fail(v, "container %q runs as user 0 (root)"+optOut, name, "runAsNonRoot", "false")
		}
	}
}

// addTmpMount gives a container a writable /tmp when its root is read-only,
// unless it mounts something there itself. It reports whether it did.
func addTmpMount(c *yaml.Node) bool {
	mounts := yamlio.MapGet(c, "volumeMounts")
	if mounts == nil || mounts.Kind != yaml.SequenceNode {
		mounts = yamlio.NewSeq()
		yamlio.MapSet(c, "volumeMounts", mounts)
	}
	for _, m := range mounts.Content {
		if p := yamlio.MapGet(m, "mountPath"); p != nil && strings.TrimRight(p.Value, "/") == "/tmp" {
			return false
		}
	}
	mounts.Content = append(mounts.Content, yamlio.NewMap("name", yamlio.NewStr(tmpVolume), "mountPath", yamlio.NewStr("/tmp")))
	return true
}

// addTmpVolume adds the emptyDir behind the /tmp mounts.
func addTmpVolume(podSpec *yaml.Node) {
	vols := yamlio.MapGet(podSpec, "volumes")
	if vols == nil || vols.Kind != yaml.SequenceNode {
		vols = yamlio.NewSeq()
		yamlio.MapSet(podSpec, "volumes", vols)
	}
	vols.Content = append(vols.Content, yamlio.NewMap("name", yamlio.NewStr(tmpVolume), "emptyDir", yamlio.NewMap("sizeLimit", yamlio.NewStr(hookset.EmptyDirLimit))))
}

// isRunner reports whether a container runs hookgen's runner
// (command: [hookgen, run, <action>]).
func isRunner(c *yaml.Node) bool {
	cmd := yamlio.MapGet(c, "command")
	return cmd != nil && cmd.Kind == yaml.SequenceNode && len(cmd.Content) >= 2 &&
		cmd.Content[0].Value == "hookgen" && cmd.Content[1].Value == "run"
}
