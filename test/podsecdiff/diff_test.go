package podsecdiff

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"

	"github.com/hookgen/hookgen/internal/podsec"
)

// compliant is a pod restricted allows: every table case edits it.
func compliant() *corev1.Pod {
	return Gen(nil)
}

func sc(p *corev1.Pod) *corev1.SecurityContext { return p.Spec.Containers[0].SecurityContext }

func psc(p *corev1.Pod) *corev1.PodSecurityContext { return p.Spec.SecurityContext }

// compare judges pod with the library and with podsec and fails the test
// when the verdicts (allowed, and which checks fail) differ.
func compare(t *testing.T, pod *corev1.Pod) []string {
	t.Helper()
	want, reasons, err := Oracle(pod)
	if err != nil {
		t.Fatal(err)
	}
	got, vs, err := Podsec(pod)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		data, _ := json.Marshal(pod)
		t.Fatalf("verdicts differ\npod:     %s\nlibrary: %v\n  %s\npodsec:  %v\n  %s", data, want, strings.Join(reasons, "\n  "), got, violations(vs))
	}
	compareUnset(t, pod, vs)
	return want
}

// compareUnset checks podsec's Unset against the library: the checks that
// still fail once every setting hardening fills in is filled in where the
// pod leaves it unset (hardened) are exactly those of podsec's violations
// that are not Unset. hookgen judges the application's own hooks by these.
func compareUnset(t *testing.T, pod *corev1.Pod, vs []podsec.Violation) {
	t.Helper()
	var explicit []string
	for _, v := range vs {
		if !v.Unset {
			explicit = append(explicit, v.Check)
		}
	}
	slices.Sort(explicit)
	explicit = slices.Compact(explicit)
	h := hardened(pod)
	want, reasons, err := Oracle(h)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(explicit, want) {
		data, _ := json.Marshal(pod)
		hdata, _ := json.Marshal(h)
		t.Fatalf("what hardening leaves differs\npod:      %s\nhardened: %s\nlibrary on the hardened pod: %v\n  %s\npodsec's violations that are not Unset: %v\n  %s",
			data, hdata, want, strings.Join(reasons, "\n  "), explicit, violations(vs))
	}
}

// hardened returns a copy of pod with what hookgen's hardening sets filled
// in wherever the pod leaves it unset: runAsNonRoot and a RuntimeDefault
// seccomp profile on the pod, allowPrivilegeEscalation false and ALL
// capabilities dropped in every container. Nothing the pod sets changes.
func hardened(pod *corev1.Pod) *corev1.Pod {
	h := pod.DeepCopy()
	if h.Spec.SecurityContext == nil {
		h.Spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	psc := h.Spec.SecurityContext
	if psc.RunAsNonRoot == nil {
		psc.RunAsNonRoot = ptr(true)
	}
	if psc.SeccompProfile == nil {
		psc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}
	fill := func(sc **corev1.SecurityContext) {
		if *sc == nil {
			*sc = &corev1.SecurityContext{}
		}
		c := *sc
		if c.AllowPrivilegeEscalation == nil {
			c.AllowPrivilegeEscalation = ptr(false)
		}
		if c.Capabilities == nil {
			c.Capabilities = &corev1.Capabilities{}
		}
		if !slices.Contains(c.Capabilities.Drop, "ALL") {
			c.Capabilities.Drop = append(c.Capabilities.Drop, "ALL")
		}
	}
	for i := range h.Spec.InitContainers {
		fill(&h.Spec.InitContainers[i].SecurityContext)
	}
	for i := range h.Spec.Containers {
		fill(&h.Spec.Containers[i].SecurityContext)
	}
	for i := range h.Spec.EphemeralContainers {
		fill(&h.Spec.EphemeralContainers[i].SecurityContext)
	}
	return h
}

func violations(vs any) string {
	data, _ := json.MarshalIndent(vs, "  ", " ")
	return string(data)
}

func TestTable(t *testing.T) {
	type m = func(*corev1.Pod)
	ctr := func(p *corev1.Pod, name string) *corev1.Container {
		c := compliant().Spec.Containers[0]
		c.Name = name
		p.Spec.Containers = append(p.Spec.Containers, c)
		return &p.Spec.Containers[len(p.Spec.Containers)-1]
	}
	vol := func(set func(*corev1.VolumeSource)) m {
		return func(p *corev1.Pod) {
			v := corev1.Volume{Name: "v"}
			set(&v.VolumeSource)
			p.Spec.Volumes = append(p.Spec.Volumes, v)
		}
	}
	cases := []struct {
		name string
		mut  m
		want []string
	}{
		{"compliant", func(*corev1.Pod) {}, nil},
		{"no containers", func(p *corev1.Pod) { p.Spec.Containers = nil }, nil},
		{"no security context at all", func(p *corev1.Pod) { p.Spec.SecurityContext = nil; p.Spec.Containers[0].SecurityContext = nil },
			[]string{"allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted"}},

		{"hostNetwork", func(p *corev1.Pod) { p.Spec.HostNetwork = true }, []string{"hostNamespaces"}},
		{"hostPID", func(p *corev1.Pod) { p.Spec.HostPID = true }, []string{"hostNamespaces"}},
		{"hostIPC", func(p *corev1.Pod) { p.Spec.HostIPC = true }, []string{"hostNamespaces"}},

		{"privileged", func(p *corev1.Pod) { sc(p).Privileged = ptr(true) }, []string{"privileged"}},
		{"privileged false", func(p *corev1.Pod) { sc(p).Privileged = ptr(false) }, nil},

		{"capabilities nil", func(p *corev1.Pod) { sc(p).Capabilities = nil }, []string{"capabilities_restricted"}},
		{"drop all lowercase", func(p *corev1.Pod) { sc(p).Capabilities.Drop = []corev1.Capability{"all"} }, []string{"capabilities_restricted"}},
		{"drop CAP_ALL", func(p *corev1.Pod) { sc(p).Capabilities.Drop = []corev1.Capability{"CAP_ALL"} }, []string{"capabilities_restricted"}},
		{"add NET_BIND_SERVICE", func(p *corev1.Pod) { sc(p).Capabilities.Add = []corev1.Capability{"NET_BIND_SERVICE"} }, nil},
		{"add CAP_NET_BIND_SERVICE", func(p *corev1.Pod) { sc(p).Capabilities.Add = []corev1.Capability{"CAP_NET_BIND_SERVICE"} }, []string{"capabilities_restricted"}},
		{"add baseline CHOWN", func(p *corev1.Pod) { sc(p).Capabilities.Add = []corev1.Capability{"CHOWN"} }, []string{"capabilities_restricted"}},
		{"add SYS_ADMIN", func(p *corev1.Pod) { sc(p).Capabilities.Add = []corev1.Capability{"SYS_ADMIN"} }, []string{"capabilities_restricted"}},

		{"hostPath", vol(func(s *corev1.VolumeSource) { s.HostPath = &corev1.HostPathVolumeSource{Path: "/"} }), []string{"restrictedVolumes"}},
		{"nfs", vol(func(s *corev1.VolumeSource) { s.NFS = &corev1.NFSVolumeSource{Server: "s", Path: "/"} }), []string{"restrictedVolumes"}},
		{"iscsi", vol(func(s *corev1.VolumeSource) { s.ISCSI = &corev1.ISCSIVolumeSource{} }), []string{"restrictedVolumes"}},
		{"gitRepo", vol(func(s *corev1.VolumeSource) { s.GitRepo = &corev1.GitRepoVolumeSource{Repository: "r"} }), []string{"restrictedVolumes"}},
		{"no source", vol(func(*corev1.VolumeSource) {}), []string{"restrictedVolumes"}},
		{"projected token", vol(func(s *corev1.VolumeSource) {
			s.Projected = &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "t"}}}}
		}), nil},
		{"image", vol(func(s *corev1.VolumeSource) { s.Image = &corev1.ImageVolumeSource{Reference: "r"} }), nil},
		{"emptyDir beside hostPath", vol(func(s *corev1.VolumeSource) {
			s.EmptyDir = &corev1.EmptyDirVolumeSource{}
			s.HostPath = &corev1.HostPathVolumeSource{Path: "/"}
		}), nil},

		{"hostPort", func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}
		}, []string{"hostPorts"}},
		{"hostPort negative", func(p *corev1.Pod) { p.Spec.Containers[0].Ports = []corev1.ContainerPort{{HostPort: -1}} }, []string{"hostPorts"}},
		{"hostPort 0", func(p *corev1.Pod) { p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80}} }, nil},

		{"apparmor annotation unconfined", func(p *corev1.Pod) {
			p.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}
		}, []string{"appArmorProfile"}},
		{"apparmor annotation for another container", func(p *corev1.Pod) {
			p.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/nope": "unconfined"}
		}, []string{"appArmorProfile"}},
		{"apparmor annotation allowed", func(p *corev1.Pod) {
			p.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/app": "localhost/x", "container.apparmor.security.beta.kubernetes.io/b": "runtime/default"}
		}, nil},
		{"seccomp annotation ignored at latest", func(p *corev1.Pod) {
			p.Annotations = map[string]string{"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}
		}, nil},
		{"apparmor field Unconfined", func(p *corev1.Pod) {
			sc(p).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
		}, []string{"appArmorProfile"}},
		{"apparmor pod field empty", func(p *corev1.Pod) { psc(p).AppArmorProfile = &corev1.AppArmorProfile{} }, []string{"appArmorProfile"}},

		{"selinux spc_t", func(p *corev1.Pod) { psc(p).SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"} }, []string{"seLinuxOptions"}},
		{"selinux container_engine_t", func(p *corev1.Pod) { sc(p).SELinuxOptions = &corev1.SELinuxOptions{Type: "container_engine_t"} }, nil},
		{"selinux user", func(p *corev1.Pod) { sc(p).SELinuxOptions = &corev1.SELinuxOptions{User: "u"} }, []string{"seLinuxOptions"}},
		{"selinux role", func(p *corev1.Pod) { sc(p).SELinuxOptions = &corev1.SELinuxOptions{Role: "r"} }, []string{"seLinuxOptions"}},
		{"selinux level only", func(p *corev1.Pod) { sc(p).SELinuxOptions = &corev1.SELinuxOptions{Level: "s0"} }, nil},

		{"procMount Unmasked", func(p *corev1.Pod) { sc(p).ProcMount = ptr(corev1.UnmaskedProcMount) }, []string{"procMount_restricted"}},
		{"procMount Unmasked with hostUsers false", func(p *corev1.Pod) {
			p.Spec.HostUsers = ptr(false)
			sc(p).ProcMount = ptr(corev1.UnmaskedProcMount)
		}, []string{"procMount_restricted"}},
		{"procMount Default", func(p *corev1.Pod) { sc(p).ProcMount = ptr(corev1.DefaultProcMount) }, nil},

		{"seccomp missing", func(p *corev1.Pod) { psc(p).SeccompProfile = nil; sc(p).SeccompProfile = nil }, []string{"seccompProfile_restricted"}},
		{"seccomp pod only", func(p *corev1.Pod) { sc(p).SeccompProfile = nil }, nil},
		{"seccomp container only, Localhost", func(p *corev1.Pod) {
			psc(p).SeccompProfile = nil
			sc(p).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: ptr("x")}
		}, nil},
		{"seccomp Unconfined", func(p *corev1.Pod) { psc(p).SeccompProfile.Type = corev1.SeccompProfileTypeUnconfined }, []string{"seccompProfile_restricted"}},

		{"sysctl safe 1.37", func(p *corev1.Pod) { psc(p).Sysctls = []corev1.Sysctl{{Name: "net.ipv4.tcp_notsent_lowat"}} }, nil},
		{"sysctl unsafe", func(p *corev1.Pod) { psc(p).Sysctls = []corev1.Sysctl{{Name: "kernel.msgmax"}} }, []string{"sysctls"}},
		{"sysctl slash form", func(p *corev1.Pod) { psc(p).Sysctls = []corev1.Sysctl{{Name: "net/ipv4/tcp_syncookies"}} }, []string{"sysctls"}},

		{"allowPrivilegeEscalation nil", func(p *corev1.Pod) { sc(p).AllowPrivilegeEscalation = nil }, []string{"allowPrivilegeEscalation"}},
		{"allowPrivilegeEscalation true", func(p *corev1.Pod) { sc(p).AllowPrivilegeEscalation = ptr(true) }, []string{"allowPrivilegeEscalation"}},

		{"runAsNonRoot pod false", func(p *corev1.Pod) { psc(p).RunAsNonRoot = ptr(false) }, []string{"runAsNonRoot"}},
		{"runAsNonRoot nowhere", func(p *corev1.Pod) { psc(p).RunAsNonRoot = nil }, []string{"runAsNonRoot"}},
		{"runAsNonRoot on the container only", func(p *corev1.Pod) { psc(p).RunAsNonRoot = nil; sc(p).RunAsNonRoot = ptr(true) }, nil},
		{"runAsNonRoot container false", func(p *corev1.Pod) { sc(p).RunAsNonRoot = ptr(false) }, []string{"runAsNonRoot"}},
		{"runAsUser 0 pod", func(p *corev1.Pod) { psc(p).RunAsUser = ptr(int64(0)) }, []string{"runAsUser"}},
		{"runAsUser 0 container", func(p *corev1.Pod) { sc(p).RunAsUser = ptr(int64(0)) }, []string{"runAsUser"}},
		{"hostUsers false relaxes users", func(p *corev1.Pod) {
			p.Spec.HostUsers = ptr(false)
			psc(p).RunAsNonRoot = ptr(false)
			sc(p).RunAsUser = ptr(int64(0))
		}, nil},

		{"hostProcess pod", func(p *corev1.Pod) {
			psc(p).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
		}, []string{"windowsHostProcess"}},
		{"hostProcess container", func(p *corev1.Pod) {
			sc(p).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
		}, []string{"windowsHostProcess"}},
		{"windows pod", func(p *corev1.Pod) {
			p.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
			p.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptr(true)}
			p.Spec.Containers[0].SecurityContext = nil
		}, nil},
		{"linux pod keeps the checks", func(p *corev1.Pod) {
			p.Spec.OS = &corev1.PodOS{Name: corev1.Linux}
			p.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptr(true)}
			p.Spec.Containers[0].SecurityContext = nil
		}, []string{"allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"}},

		{"probe host", func(p *corev1.Pod) {
			p.Spec.Containers[0].ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: "169.254.169.254"}}}
		}, []string{"hostProbesAndHostLifecycle"}},
		{"lifecycle tcp host", func(p *corev1.Pod) {
			p.Spec.Containers[0].Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{Host: "h"}}}
		}, []string{"hostProbesAndHostLifecycle"}},

		{"init container unhardened", func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{{Name: "init"}}
		}, []string{"allowPrivilegeEscalation", "capabilities_restricted"}},
		{"ephemeral container privileged", func(p *corev1.Pod) {
			c := compliant().Spec.Containers[0]
			c.Name = "debug"
			c.SecurityContext.Privileged = ptr(true)
			p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon(c)}}
		}, []string{"privileged"}},
		{"second container without seccomp, pod has none", func(p *corev1.Pod) {
			psc(p).SeccompProfile = nil
			ctr(p, "b").SecurityContext.SeccompProfile = nil
		}, []string{"seccompProfile_restricted"}},
		{"everything at once", func(p *corev1.Pod) {
			p.Spec.HostNetwork = true
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr(true), RunAsUser: ptr(int64(0)), ProcMount: ptr(corev1.UnmaskedProcMount),
				Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_ADMIN"}}, SeccompProfile: &corev1.SeccompProfile{Type: "Unconfined"},
				AppArmorProfile: &corev1.AppArmorProfile{Type: "Unconfined"}, SELinuxOptions: &corev1.SELinuxOptions{Type: "spc_t"},
				WindowsOptions: &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}}
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{HostPort: 1}}
			p.Spec.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Host: "h"}}}
			psc(p).Sysctls = []corev1.Sysctl{{Name: "kernel.msgmax"}}
			psc(p).RunAsNonRoot = ptr(false)
			p.Spec.Volumes = []corev1.Volume{{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}
		}, []string{"allowPrivilegeEscalation", "appArmorProfile", "capabilities_restricted", "hostNamespaces", "hostPorts", "hostProbesAndHostLifecycle",
			"privileged", "procMount_restricted", "restrictedVolumes", "runAsNonRoot", "runAsUser", "seLinuxOptions", "seccompProfile_restricted", "sysctls", "windowsHostProcess"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := compliant()
			tc.mut(p)
			got := compare(t, p)
			if !slices.Equal(got, tc.want) {
				t.Errorf("the library fails %v, the case expects %v", got, tc.want)
			}
		})
	}
}

// TestTableJSON feeds spellings a typed Pod cannot hold. The library sees
// the pod the API server decodes (sigs.k8s.io/json, case-sensitive); when
// that decode fails, podsec must report a type violation.
func TestTableJSON(t *testing.T) {
	const ok = `"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}}`
	const cok = `"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}`
	pod := func(spec string) string { return `{"metadata":{"name":"p"},"spec":{` + spec + `}}` }
	withCtr := func(extra string) string {
		return pod(ok + `,"containers":[{"name":"app",` + extra + `}]`)
	}
	withSC := func(extra string) string { return withCtr(`"securityContext":{` + cok + extra + `}`) }
	cases := []struct {
		name, json string
		want       []string
	}{
		{"compliant", withSC(""), nil},
		{"hostNetwork string", pod(ok + `,"hostNetwork":"true"`), []string{"type"}},
		{"hostNetwork 1", pod(ok + `,"hostNetwork":1`), []string{"type"}},
		{"HostNetwork key", pod(ok + `,"HostNetwork":true`), nil},
		{"hostnetwork key", pod(ok + `,"hostnetwork":true`), nil},
		{"hostNetwork null", pod(ok + `,"hostNetwork":null`), nil},
		{"privileged string", withSC(`,"privileged":"true"`), []string{"type"}},
		{"Privileged key", withSC(`,"Privileged":true`), nil},
		{"privileged null", withSC(`,"privileged":null`), nil},
		{"runAsUser -0", withSC(`,"runAsUser":-0`), []string{"runAsUser"}},
		{"runAsUser 0.0", withSC(`,"runAsUser":0.0`), []string{"type"}},
		{"runAsUser 1e3", withSC(`,"runAsUser":1e3`), []string{"type"}},
		{"runAsUser string", withSC(`,"runAsUser":"0"`), []string{"type"}},
		{"runAsUser huge", withSC(`,"runAsUser":18446744073709551616`), []string{"type"}},
		{"hostPort 1.0", withCtr(`"securityContext":{` + cok + `},"ports":[{"containerPort":80,"hostPort":1.0}]`), []string{"type"}},
		{"hostPort int32 overflow", withCtr(`"securityContext":{` + cok + `},"ports":[{"containerPort":80,"hostPort":2147483648}]`), []string{"type"}},
		{"hostPort -0", withCtr(`"securityContext":{` + cok + `},"ports":[{"containerPort":80,"hostPort":-0}]`), nil},
		{"securityContext list", withCtr(`"securityContext":[]`), []string{"type"}},
		{"containers object", pod(ok + `,"containers":{"name":"app"}`), []string{"type"}},
		{"null container", pod(ok + `,"containers":[null]`), []string{"allowPrivilegeEscalation", "capabilities_restricted"}},
		{"null volume", withSC("")[:len(withSC(""))-2] + `,"volumes":[null]}}`, []string{"restrictedVolumes"}},
		{"null capability", withCtr(`"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"],"add":[null]}}`), []string{"capabilities_restricted"}},
		{"null sysctl", pod(`"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"},"sysctls":[null]}`), []string{"sysctls"}},
		{"emptyDir key case", withSC("")[:len(withSC(""))-2] + `,"volumes":[{"name":"v","EmptyDir":{}}]}}`, []string{"restrictedVolumes"}},
		{"procMount empty", withSC(`,"procMount":""`), []string{"procMount_restricted"}},
		{"procMount null", withSC(`,"procMount":null`), nil},
		{"seccomp type null", withSC(`,"seccompProfile":{"type":null}`), []string{"seccompProfile_restricted"}},
		{"annotation number", `{"metadata":{"annotations":{"a":1}},"spec":{` + ok + `}}`, []string{"type"}},
		{"apparmor annotation null", `{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/app":null}},"spec":{` + ok + `}}`, nil},
		{"hostUsers string", pod(ok + `,"hostUsers":"false"`), []string{"type"}},
		{"os name number", pod(ok + `,"os":{"name":1}`), []string{"type"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := compareJSON(t, []byte(tc.json))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, the case expects %v", got, tc.want)
			}
		})
	}
}

// compareJSON judges raw pod JSON both ways. When the API server's decoder
// accepts it, the verdicts must be equal and podsec must not see a type
// error; when podsec reports a type error, the decoder must refuse it.
func compareJSON(t *testing.T, data []byte) []string {
	t.Helper()
	got, vs, err := PodsecJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	want, reasons, decodeErr, err := OracleJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	hasType := slices.Contains(got, "type")
	if decodeErr != nil {
		if !hasType {
			// A field no check reads may be mistyped: the server rejects
			// the object on its own. Only the fields podsec reads count.
			t.Logf("the API server's decoder refuses %s (%v); podsec found no type error", data, decodeErr)
		}
		return []string{"type"}
	}
	if hasType {
		t.Fatalf("podsec reports a type error the API server's decoder accepts\npod: %s\npodsec: %s", data, violations(vs))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("verdicts differ\npod:     %s\nlibrary: %v\n  %s\npodsec:  %v\n  %s", data, want, strings.Join(reasons, "\n  "), got, violations(vs))
	}
	var pod corev1.Pod
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, &pod); err != nil {
		t.Fatal(err)
	}
	compareUnset(t, &pod, vs)
	return want
}

// FuzzRestricted builds a pod from the fuzz bytes (Gen) and asserts that
// podsec and the library agree on it.
func FuzzRestricted(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 7, 1, 1, 1, 2, 2})
	f.Add([]byte("\x03\x00\x03\x01\x04\x02\x05\x05\x05\x05\x05\x05\x05\x05\x02\x02\x02\x02\x02\x02\x02\x02\x02"))
	f.Add([]byte("hostPath privileged unmasked windows sysctl"))
	f.Fuzz(func(t *testing.T, data []byte) {
		compare(t, Gen(data))
	})
}

// FuzzRestrictedJSON edits the JSON of a generated pod at one place with a
// value of any JSON type, and asserts compareJSON's promise: equal
// verdicts when the API server's decoder accepts the result, and a type
// error from podsec only when it refuses it.
func FuzzRestrictedJSON(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint8(0))
	f.Add([]byte{0, 7, 1}, uint16(3), uint8(1))
	f.Add([]byte("containers"), uint16(40), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, at uint16, kind uint8) {
		doc, err := json.Marshal(Gen(data))
		if err != nil {
			t.Fatal(err)
		}
		compareJSON(t, mutateJSON(t, doc, int(at), kind))
	})
}

// replacements are the values FuzzRestrictedJSON writes: every JSON type
// and the spellings that decode differently.
var replacements = []string{
	`null`, `true`, `false`, `"true"`, `"false"`, `0`, `-0`, `1`, `1.0`, `0.0`, `1e3`, `-1`,
	`2147483648`, `9223372036854775808`, `""`, `"ALL"`, `"Default"`, `"RuntimeDefault"`,
	`"windows"`, `"unconfined"`, `{}`, `[]`, `[null]`, `[{}]`, `["ALL"]`, `{"type":"Localhost"}`,
}

// mutateJSON replaces the at-th value of doc (in a walk with sorted keys)
// by replacements[kind], or, for kinds beyond them, renames its key with
// an upper-case first letter (the API server's decoder ignores it).
func mutateJSON(t *testing.T, doc []byte, at int, kind uint8) []byte {
	t.Helper()
	var root any
	dec := json.NewDecoder(strings.NewReader(string(doc)))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatal(err)
	}
	type slot struct {
		get func() any
		set func(any)
		key func() // renames the map key to another case, nil for list elements
	}
	var slots []slot
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				slots = append(slots, slot{
					get: func() any { return x[k] },
					set: func(n any) { x[k] = n },
					key: func() {
						if k != "" {
							x[strings.ToUpper(k[:1])+k[1:]] = x[k]
							delete(x, k)
						}
					},
				})
				walk(x[k])
			}
		case []any:
			for i := range x {
				slots = append(slots, slot{get: func() any { return x[i] }, set: func(n any) { x[i] = n }})
				walk(x[i])
			}
		}
	}
	walk(root)
	if len(slots) == 0 {
		return doc
	}
	s := slots[at%len(slots)]
	if k := int(kind); k < len(replacements) {
		var n any
		d := json.NewDecoder(strings.NewReader(replacements[k]))
		d.UseNumber()
		if err := d.Decode(&n); err != nil {
			t.Fatal(err)
		}
		s.set(n)
	} else if s.key != nil {
		s.key()
	}
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGenReach: Gen, on pseudo-random bytes, makes allowed pods and pods
// that fail each check the library runs, so the fuzz targets explore
// every check and both verdicts.
func TestGenReach(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	allowed := 0
	const n = 3000
	for range n {
		data := make([]byte, rng.IntN(120))
		for i := range data {
			// mostly small bytes: the compliant end of each pool
			if rng.IntN(3) == 0 {
				data[i] = byte(rng.IntN(256))
			}
		}
		ids := compare(t, Gen(data))
		if len(ids) == 0 {
			allowed++
		}
		for _, id := range ids {
			counts[id]++
		}
	}
	t.Logf("%d of %d pods allowed; failures per check: %v", allowed, n, counts)
	if allowed == 0 {
		t.Error("no generated pod is allowed")
	}
	for _, id := range podsec.Checks() {
		if counts[id] == 0 {
			t.Errorf("no generated pod fails %s", id)
		}
	}
}
