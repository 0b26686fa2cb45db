package podsec

import (
	"fmt"
	"strconv"
	"strings"
)

// Violation is one field that keeps a pod from Pod Security "restricted".
type Violation struct {
	// Field is the path of the offending field, such as
	// spec.containers[0].securityContext.runAsNonRoot, or
	// metadata.annotations[<key>].
	Field string
	// Check is the Pod Security check id, such as "runAsNonRoot", or
	// CheckType for a value the API server would not decode.
	Check string
	// Message says what is wrong and what is allowed.
	Message string
	// Unset says the pod lacks hardening restricted requires (it leaves
	// allowPrivilegeEscalation, runAsNonRoot or the seccomp profile unset,
	// or does not drop every capability) rather than setting something
	// it forbids. Only the checks of restricted beyond "baseline" report
	// such violations.
	Unset bool
}

func (v Violation) String() string {
	return v.Field + ": " + v.Check + ": " + v.Message
}

// CheckType is the Check of a value of the wrong JSON type: the API server
// rejects the object before Pod Security sees it.
const CheckType = "type"

// The check ids, in the order Restricted reports them: baseline checks
// sorted, then restricted checks sorted, as the library evaluates them.
const (
	CheckAppArmorProfile            = "appArmorProfile"
	CheckHostNamespaces             = "hostNamespaces"
	CheckHostPorts                  = "hostPorts"
	CheckHostProbesAndHostLifecycle = "hostProbesAndHostLifecycle"
	CheckPrivileged                 = "privileged"
	CheckSELinuxOptions             = "seLinuxOptions"
	CheckSysctls                    = "sysctls"
	CheckWindowsHostProcess         = "windowsHostProcess"
	CheckAllowPrivilegeEscalation   = "allowPrivilegeEscalation"
	CheckCapabilitiesRestricted     = "capabilities_restricted"
	CheckProcMountRestricted        = "procMount_restricted"
	CheckRestrictedVolumes          = "restrictedVolumes"
	CheckRunAsNonRoot               = "runAsNonRoot"
	CheckRunAsUser                  = "runAsUser"
	CheckSeccompProfileRestricted   = "seccompProfile_restricted"
)

// Checks lists the check ids Restricted runs, in its order.
func Checks() []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.id
	}
	return out
}

var checks = []struct {
	id  string
	run func(*pod, *[]Violation)
}{
	{CheckAppArmorProfile, checkAppArmor},
	{CheckHostNamespaces, checkHostNamespaces},
	{CheckHostPorts, checkHostPorts},
	{CheckHostProbesAndHostLifecycle, checkHostProbes},
	{CheckPrivileged, checkPrivileged},
	{CheckSELinuxOptions, checkSELinux},
	{CheckSysctls, checkSysctls},
	{CheckWindowsHostProcess, checkWindowsHostProcess},
	{CheckAllowPrivilegeEscalation, checkAllowPrivilegeEscalation},
	{CheckCapabilitiesRestricted, checkCapabilities},
	{CheckProcMountRestricted, checkProcMount},
	{CheckRestrictedVolumes, checkVolumes},
	{CheckRunAsNonRoot, checkRunAsNonRoot},
	{CheckRunAsUser, checkRunAsUser},
	{CheckSeccompProfileRestricted, checkSeccomp},
}

// Restricted judges a pod, given its metadata and PodSpec in the JSON value
// model, against Pod Security level "restricted", version "latest". It
// returns nil when the pod is allowed.
func Restricted(meta, spec map[string]any) []Violation {
	d := &decoder{}
	p := d.decodePod(meta, spec)
	out := d.errs
	for _, c := range checks {
		var vs []Violation
		c.run(p, &vs)
		for i := range vs {
			vs[i].Check = c.id
		}
		out = append(out, vs...)
	}
	return out
}

func add(vs *[]Violation, path, format string, args ...any) {
	*vs = append(*vs, Violation{Field: path, Message: fmt.Sprintf(format, args...)})
}

// addUnset is add for a violation of hardening the pod leaves unset.
func addUnset(vs *[]Violation, path, format string, args ...any) {
	*vs = append(*vs, Violation{Field: path, Message: fmt.Sprintf(format, args...), Unset: true})
}

// who names a container for a message.
func (c *container) who() string {
	return "container " + strconv.Quote(c.name)
}

func (p *pod) windows() bool { return p.osName == "windows" }

// userNamespace reports spec.hostUsers: false, which relaxes runAsNonRoot
// and runAsUser.
func (p *pod) userNamespace() bool { return p.hostUsers.set && !p.hostUsers.val }

const (
	appArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/"
	seLinuxAllowed           = "container_t, container_init_t, container_kvm_t, container_engine_t"
)

func appArmorTypeAllowed(t string) bool { return t == "RuntimeDefault" || t == "Localhost" }

func checkAppArmor(p *pod, vs *[]Violation) {
	if p.sc != nil && p.sc.appArmor.set && !appArmorTypeAllowed(p.sc.appArmor.val) {
		add(vs, p.sc.appArmor.path, "AppArmor profile type %q is forbidden; use RuntimeDefault or Localhost", p.sc.appArmor.val)
	}
	for _, c := range p.containers {
		if c.sc != nil && c.sc.appArmor.set && !appArmorTypeAllowed(c.sc.appArmor.val) {
			add(vs, c.sc.appArmor.path, "%s: AppArmor profile type %q is forbidden; use RuntimeDefault or Localhost", c.who(), c.sc.appArmor.val)
		}
	}
	for _, a := range p.annotations {
		if !strings.HasPrefix(a.key, appArmorAnnotationPrefix) {
			continue
		}
		if a.val == "" || a.val == "runtime/default" || strings.HasPrefix(a.val, "localhost/") {
			continue
		}
		add(vs, annotationPath(a.key), "AppArmor profile %q is forbidden; use runtime/default or localhost/<profile>", a.val)
	}
}

func checkHostNamespaces(p *pod, vs *[]Violation) {
	for _, f := range []field[bool]{p.hostNetwork, p.hostPID, p.hostIPC} {
		if f.set && f.val {
			add(vs, f.path, "%s=true: host namespaces are forbidden; remove it or set it to false", f.path[strings.LastIndexByte(f.path, '.')+1:])
		}
	}
}

func checkHostPorts(p *pod, vs *[]Violation) {
	for _, c := range p.containers {
		for _, hp := range c.hostPorts {
			add(vs, hp.path, "%s: hostPort %d is forbidden; remove it or set it to 0", c.who(), hp.val)
		}
	}
}

func checkHostProbes(p *pod, vs *[]Violation) {
	for _, c := range p.containers {
		for _, h := range c.hosts {
			add(vs, h.path, "%s: probe or lifecycle host %q is forbidden; leave host unset", c.who(), h.val)
		}
	}
}

func checkPrivileged(p *pod, vs *[]Violation) {
	for _, c := range p.containers {
		if c.sc != nil && c.sc.privileged.set && c.sc.privileged.val {
			add(vs, c.sc.privileged.path, "%s must not set securityContext.privileged=true", c.who())
		}
	}
}

func checkSELinux(p *pod, vs *[]Violation) {
	one := func(se *seLinux, who string) {
		if se == nil {
			return
		}
		switch se.typ {
		case "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t":
		default:
			add(vs, se.path+".type", "%sSELinux type %q is forbidden; allowed: %s", who, se.typ, seLinuxAllowed)
		}
		if se.user != "" {
			add(vs, se.path+".user", "%sSELinux user may not be set", who)
		}
		if se.role != "" {
			add(vs, se.path+".role", "%sSELinux role may not be set", who)
		}
	}
	if p.sc != nil {
		one(p.sc.seLinux, "")
	}
	for _, c := range p.containers {
		if c.sc != nil {
			one(c.sc.seLinux, c.who()+": ")
		}
	}
}

// safeSysctls are the sysctls baseline allows at version 1.37.
var safeSysctls = map[string]bool{
	"kernel.shm_rmid_forced":              true,
	"net.ipv4.ip_local_port_range":        true,
	"net.ipv4.tcp_syncookies":             true,
	"net.ipv4.ping_group_range":           true,
	"net.ipv4.ip_unprivileged_port_start": true,
	"net.ipv4.ip_local_reserved_ports":    true,
	"net.ipv4.tcp_keepalive_time":         true,
	"net.ipv4.tcp_fin_timeout":            true,
	"net.ipv4.tcp_keepalive_intvl":        true,
	"net.ipv4.tcp_keepalive_probes":       true,
	"net.ipv4.tcp_rmem":                   true,
	"net.ipv4.tcp_wmem":                   true,
	"net.ipv4.tcp_slow_start_after_idle":  true,
	"net.ipv4.tcp_notsent_lowat":          true,
}

func checkSysctls(p *pod, vs *[]Violation) {
	for _, s := range p.sysctls {
		if !safeSysctls[s.name] {
			add(vs, s.path, "sysctl %q is not in the safe set", s.name)
		}
	}
}

func checkWindowsHostProcess(p *pod, vs *[]Violation) {
	if p.sc != nil && p.sc.hostProcess.set && p.sc.hostProcess.val {
		add(vs, p.sc.hostProcess.path, "pod must not set securityContext.windowsOptions.hostProcess=true")
	}
	for _, c := range p.containers {
		if c.sc != nil && c.sc.hostProcess.set && c.sc.hostProcess.val {
			add(vs, c.sc.hostProcess.path, "%s must not set securityContext.windowsOptions.hostProcess=true", c.who())
		}
	}
}

func checkAllowPrivilegeEscalation(p *pod, vs *[]Violation) {
	if p.windows() {
		return
	}
	for _, c := range p.containers {
		if c.sc == nil {
			addUnset(vs, c.path+".securityContext.allowPrivilegeEscalation", "%s must set securityContext.allowPrivilegeEscalation=false", c.who())
			continue
		}
		switch f := c.sc.allowPrivilegeEscalation; {
		case !f.set:
			addUnset(vs, f.path, "%s must set securityContext.allowPrivilegeEscalation=false", c.who())
		case f.val:
			add(vs, f.path, "%s must set securityContext.allowPrivilegeEscalation=false", c.who())
		}
	}
}

func checkCapabilities(p *pod, vs *[]Violation) {
	if p.windows() {
		return
	}
	for _, c := range p.containers {
		if c.sc == nil || c.sc.capabilities == nil {
			addUnset(vs, c.path+".securityContext.capabilities.drop", `%s must set securityContext.capabilities.drop=["ALL"]`, c.who())
			continue
		}
		caps := c.sc.capabilities
		dropped := false
		for _, d := range caps.drop {
			if d.val == "ALL" {
				dropped = true
				break
			}
		}
		if !dropped {
			addUnset(vs, caps.path+".drop", `%s must set securityContext.capabilities.drop=["ALL"]`, c.who())
		}
		for _, a := range caps.add {
			if a.val != "NET_BIND_SERVICE" {
				add(vs, a.path, "%s must not add capability %q; only NET_BIND_SERVICE may be added", c.who(), a.val)
			}
		}
	}
}

func checkProcMount(p *pod, vs *[]Violation) {
	for _, c := range p.containers {
		if c.sc != nil && c.sc.procMount.set && c.sc.procMount.val != "Default" {
			add(vs, c.sc.procMount.path, "%s must not set securityContext.procMount to %q; remove it or use Default", c.who(), c.sc.procMount.val)
		}
	}
}

// allowedVolumes are the volume sources restricted allows.
var allowedVolumes = map[string]bool{
	"configMap": true, "csi": true, "downwardAPI": true, "emptyDir": true,
	"ephemeral": true, "image": true, "persistentVolumeClaim": true,
	"projected": true, "secret": true,
}

func checkVolumes(p *pod, vs *[]Violation) {
	for _, v := range p.volumes {
		ok := false
		for _, s := range v.sources {
			if allowedVolumes[s] {
				ok = true
				break
			}
		}
		switch {
		case ok:
		case len(v.sources) == 0:
			add(vs, v.path, "volume %q has no volume source restricted allows; use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret", v.name)
		default:
			add(vs, v.path+"."+v.sources[0], "volume %q uses restricted volume type %s; use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret", v.name, v.sources[0])
		}
	}
}

func checkRunAsNonRoot(p *pod, vs *[]Violation) {
	if p.userNamespace() {
		return
	}
	podTrue := false
	if p.sc != nil && p.sc.runAsNonRoot.set {
		if p.sc.runAsNonRoot.val {
			podTrue = true
		} else {
			add(vs, p.sc.runAsNonRoot.path, "pod must not set securityContext.runAsNonRoot=false")
		}
	}
	var implicit []Violation
	for _, c := range p.containers {
		if c.sc != nil && c.sc.runAsNonRoot.set {
			if !c.sc.runAsNonRoot.val {
				add(vs, c.sc.runAsNonRoot.path, "%s must not set securityContext.runAsNonRoot=false", c.who())
			}
			continue
		}
		if !podTrue {
			addUnset(&implicit, c.path+".securityContext.runAsNonRoot", "pod or %s must set securityContext.runAsNonRoot=true", c.who())
		}
	}
	// As in the library, containers that only miss the field are named
	// when nothing sets it to false.
	if len(*vs) == 0 {
		*vs = implicit
	}
}

func checkRunAsUser(p *pod, vs *[]Violation) {
	if p.userNamespace() {
		return
	}
	if p.sc != nil && p.sc.runAsUser.set && p.sc.runAsUser.val == 0 {
		add(vs, p.sc.runAsUser.path, "pod must not set runAsUser=0")
	}
	for _, c := range p.containers {
		if c.sc != nil && c.sc.runAsUser.set && c.sc.runAsUser.val == 0 {
			add(vs, c.sc.runAsUser.path, "%s must not set runAsUser=0", c.who())
		}
	}
}

func seccompAllowed(t string) bool { return t == "RuntimeDefault" || t == "Localhost" }

func checkSeccomp(p *pod, vs *[]Violation) {
	if p.windows() {
		return
	}
	podSet := false
	if p.sc != nil && p.sc.seccomp.set {
		if seccompAllowed(p.sc.seccomp.val) {
			podSet = true
		} else {
			add(vs, p.sc.seccomp.path, "pod must not set securityContext.seccompProfile.type to %q; use RuntimeDefault or Localhost", p.sc.seccomp.val)
		}
	}
	var implicit []Violation
	for _, c := range p.containers {
		if c.sc != nil && c.sc.seccomp.set {
			if !seccompAllowed(c.sc.seccomp.val) {
				add(vs, c.sc.seccomp.path, "%s must not set securityContext.seccompProfile.type to %q; use RuntimeDefault or Localhost", c.who(), c.sc.seccomp.val)
			}
			continue
		}
		if !podSet {
			addUnset(&implicit, c.path+".securityContext.seccompProfile.type", `pod or %s must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`, c.who())
		}
	}
	if len(*vs) == 0 {
		*vs = implicit
	}
}
