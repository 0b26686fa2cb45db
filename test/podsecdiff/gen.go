package podsecdiff

import (
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// bytesource hands out choices from fuzz bytes; once they run out every
// choice is 0, which each pool below makes the compliant one.
type bytesource struct {
	data []byte
}

func (b *bytesource) pick(n int) int {
	if len(b.data) == 0 || n <= 1 {
		return 0
	}
	c := int(b.data[0]) % n
	b.data = b.data[1:]
	return c
}

func choose[T any](b *bytesource, pool []T) T { return pool[b.pick(len(pool))] }

func ptr[T any](v T) *T { return &v }

// Pools: the compliant (or neutral) choice first.
var (
	names       = []string{"app", "side", "a", "", "init"}
	boolPtrsF   = []*bool{ptr(false), nil, ptr(true)}
	boolPtrsT   = []*bool{ptr(true), nil, ptr(false)}
	boolPtrsNil = []*bool{nil, ptr(false), ptr(true)}
	userIDs     = []*int64{nil, ptr(int64(1000)), ptr(int64(0)), ptr(int64(-1)), ptr(int64(math.MaxInt64)), ptr(int64(math.MinInt64)), ptr(int64(65534))}
	profileType = []string{"RuntimeDefault", "Localhost", "Unconfined", "", "runtime/default", "runtimedefault", "localhost/x", "RUNTIMEDEFAULT"}
	seLinuxType = []string{"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t", "spc_t", "unconfined_t", "Container_t"}
	seLinuxUR   = []string{"", "", "", "system_u", "system_r"}
	procMounts  = []*corev1.ProcMountType{nil, ptr(corev1.DefaultProcMount), ptr(corev1.UnmaskedProcMount), ptr(corev1.ProcMountType("")), ptr(corev1.ProcMountType("default"))}
	capsDrop    = []corev1.Capability{"ALL", "NET_RAW", "all", "", "CAP_ALL", " ALL"}
	capsAdd     = []corev1.Capability{"NET_BIND_SERVICE", "CHOWN", "SYS_ADMIN", "NET_RAW", "net_bind_service", "", "ALL", "CAP_NET_BIND_SERVICE", "AUDIT_WRITE"}
	hostPorts   = []int32{0, 8080, 1, 65535, -1, math.MaxInt32, math.MinInt32}
	hosts       = []string{"", "", "127.0.0.1", "example.com", " ", "0"}
	osNames     = []corev1.OSName{"", corev1.Linux, corev1.Windows, "Windows", "WINDOWS", "linux"}
	sysctlNames = []string{
		"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
		"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",
		"kernel.msgmax", "net.core.somaxconn", "", "Kernel.shm_rmid_forced", "net/ipv4/tcp_syncookies", "net.ipv4.tcp_rmem ",
	}
	annotationKeys = []string{
		"container.apparmor.security.beta.kubernetes.io/app", "container.apparmor.security.beta.kubernetes.io/side",
		"container.apparmor.security.beta.kubernetes.io/", "Container.apparmor.security.beta.kubernetes.io/app",
		"seccomp.security.alpha.kubernetes.io/pod", "container.seccomp.security.alpha.kubernetes.io/app", "other",
	}
	annotationValues = []string{"runtime/default", "localhost/p", "", "unconfined", "localhost/", "Runtime/Default", "docker/default", "localhost"}
)

// Gen builds a pod from fuzz bytes. The same bytes always give the same pod.
func Gen(data []byte) *corev1.Pod {
	b := &bytesource{data: data}
	pod := &corev1.Pod{}
	pod.Name = "p"

	if n := b.pick(4); n > 0 {
		pod.Annotations = map[string]string{}
		for range n {
			pod.Annotations[choose(b, annotationKeys)] = choose(b, annotationValues)
		}
	}

	spec := &pod.Spec
	// Host namespaces: off unless a byte says otherwise.
	hostNS := b.pick(8)
	spec.HostNetwork = hostNS&1 != 0 && b.pick(2) == 1
	spec.HostPID = hostNS&2 != 0 && b.pick(2) == 1
	spec.HostIPC = hostNS&4 != 0 && b.pick(2) == 1
	spec.HostUsers = choose(b, boolPtrsNil)
	if os := choose(b, osNames); os != "" {
		spec.OS = &corev1.PodOS{Name: os}
	}

	// Pod security context: present and compliant by default.
	if b.pick(6) != 5 {
		sc := &corev1.PodSecurityContext{
			RunAsNonRoot: choose(b, boolPtrsT),
			RunAsUser:    choose(b, userIDs),
		}
		if t := b.pick(len(profileType) + 1); t < len(profileType) {
			sc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileType(profileType[t])}
			if profileType[t] == "Localhost" {
				sc.SeccompProfile.LocalhostProfile = ptr("p.json")
			}
		}
		if b.pick(4) == 1 {
			sc.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileType(choose(b, profileType))}
		}
		if b.pick(4) == 1 {
			sc.SELinuxOptions = genSELinux(b)
		}
		if b.pick(4) == 1 {
			sc.WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: choose(b, boolPtrsNil)}
		}
		for range b.pick(4) {
			sc.Sysctls = append(sc.Sysctls, corev1.Sysctl{Name: choose(b, sysctlNames), Value: "1"})
		}
		spec.SecurityContext = sc
	}

	for i := range b.pick(4) {
		spec.Volumes = append(spec.Volumes, genVolume(b, i))
	}

	for range b.pick(3) {
		spec.InitContainers = append(spec.InitContainers, genContainer(b))
	}
	for range 1 + b.pick(3) {
		spec.Containers = append(spec.Containers, genContainer(b))
	}
	for range b.pick(3) {
		spec.EphemeralContainers = append(spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon(genContainer(b))})
	}
	return pod
}

func genSELinux(b *bytesource) *corev1.SELinuxOptions {
	return &corev1.SELinuxOptions{
		Type:  choose(b, seLinuxType),
		User:  choose(b, seLinuxUR),
		Role:  choose(b, seLinuxUR),
		Level: "s0:c1,c2",
	}
}

func genContainer(b *bytesource) corev1.Container {
	c := corev1.Container{Name: choose(b, names), Image: "registry.example/app:1"}
	// Container security context: present and compliant by default.
	if b.pick(6) != 5 {
		sc := &corev1.SecurityContext{
			AllowPrivilegeEscalation: choose(b, boolPtrsF),
			Privileged:               choose(b, boolPtrsNil),
			RunAsNonRoot:             choose(b, boolPtrsNil),
			RunAsUser:                choose(b, userIDs),
			ProcMount:                choose(b, procMounts),
		}
		if b.pick(5) != 4 {
			caps := &corev1.Capabilities{}
			for i := range 1 + b.pick(3) {
				if i == 0 {
					caps.Drop = append(caps.Drop, choose(b, capsDrop))
				} else {
					caps.Drop = append(caps.Drop, capsDrop[b.pick(len(capsDrop))])
				}
			}
			if b.pick(5) == 4 {
				caps.Drop = nil
			}
			for range b.pick(3) {
				caps.Add = append(caps.Add, choose(b, capsAdd))
			}
			sc.Capabilities = caps
		}
		if t := b.pick(len(profileType) + 3); t < len(profileType) {
			sc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileType(profileType[t])}
		}
		if b.pick(4) == 1 {
			sc.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileType(choose(b, profileType))}
		}
		if b.pick(4) == 1 {
			sc.SELinuxOptions = genSELinux(b)
		}
		if b.pick(4) == 1 {
			sc.WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: choose(b, boolPtrsNil)}
		}
		c.SecurityContext = sc
	}
	for range b.pick(3) {
		c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: 8080, HostPort: choose(b, hostPorts)})
	}
	c.LivenessProbe = genProbe(b)
	c.ReadinessProbe = genProbe(b)
	c.StartupProbe = genProbe(b)
	if b.pick(3) == 1 {
		c.Lifecycle = &corev1.Lifecycle{PostStart: genHandler(b), PreStop: genHandler(b)}
	}
	return c
}

func genProbe(b *bytesource) *corev1.Probe {
	switch b.pick(5) {
	case 1:
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: choose(b, hosts), Port: intstr.FromInt32(8080)}}}
	case 2:
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Host: choose(b, hosts), Port: intstr.FromString("http")}}}
	case 3:
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}
	case 4:
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9000}}}
	}
	return nil
}

func genHandler(b *bytesource) *corev1.LifecycleHandler {
	switch b.pick(5) {
	case 1:
		return &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Host: choose(b, hosts), Port: intstr.FromInt32(80)}}
	case 2:
		return &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{Host: choose(b, hosts), Port: intstr.FromInt32(80)}}
	case 3:
		return &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 1}}
	case 4:
		return &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}
	}
	return nil
}

// genVolume sets one volume source, or none, or two: the library judges
// by the first allowed one it sees.
func genVolume(b *bytesource, i int) corev1.Volume {
	v := corev1.Volume{Name: "v" + string(rune('0'+i))}
	n := b.pick(len(volumeSetters) + 2)
	switch {
	case n < len(volumeSetters):
		volumeSetters[n](&v.VolumeSource)
	case n == len(volumeSetters):
		// no source at all
	default:
		volumeSetters[b.pick(len(volumeSetters))](&v.VolumeSource)
		volumeSetters[b.pick(len(volumeSetters))](&v.VolumeSource)
	}
	return v
}

// volumeSetters set each VolumeSource field, allowed ones first.
var volumeSetters = []func(*corev1.VolumeSource){
	func(s *corev1.VolumeSource) { s.EmptyDir = &corev1.EmptyDirVolumeSource{} },
	func(s *corev1.VolumeSource) { s.ConfigMap = &corev1.ConfigMapVolumeSource{} },
	func(s *corev1.VolumeSource) { s.Secret = &corev1.SecretVolumeSource{SecretName: "s"} },
	func(s *corev1.VolumeSource) { s.Projected = &corev1.ProjectedVolumeSource{} },
	func(s *corev1.VolumeSource) { s.DownwardAPI = &corev1.DownwardAPIVolumeSource{} },
	func(s *corev1.VolumeSource) { s.CSI = &corev1.CSIVolumeSource{Driver: "d"} },
	func(s *corev1.VolumeSource) {
		s.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "c"}
	},
	func(s *corev1.VolumeSource) { s.Ephemeral = &corev1.EphemeralVolumeSource{} },
	func(s *corev1.VolumeSource) { s.Image = &corev1.ImageVolumeSource{Reference: "r"} },
	func(s *corev1.VolumeSource) { s.HostPath = &corev1.HostPathVolumeSource{Path: "/"} },
	func(s *corev1.VolumeSource) { s.GCEPersistentDisk = &corev1.GCEPersistentDiskVolumeSource{} },
	func(s *corev1.VolumeSource) { s.AWSElasticBlockStore = &corev1.AWSElasticBlockStoreVolumeSource{} },
	func(s *corev1.VolumeSource) { s.GitRepo = &corev1.GitRepoVolumeSource{Repository: "r"} },
	func(s *corev1.VolumeSource) { s.NFS = &corev1.NFSVolumeSource{} },
	func(s *corev1.VolumeSource) { s.ISCSI = &corev1.ISCSIVolumeSource{} },
	func(s *corev1.VolumeSource) { s.Glusterfs = &corev1.GlusterfsVolumeSource{} },
	func(s *corev1.VolumeSource) { s.RBD = &corev1.RBDVolumeSource{} },
	func(s *corev1.VolumeSource) { s.FlexVolume = &corev1.FlexVolumeSource{} },
	func(s *corev1.VolumeSource) { s.Cinder = &corev1.CinderVolumeSource{} },
	func(s *corev1.VolumeSource) { s.CephFS = &corev1.CephFSVolumeSource{} },
	func(s *corev1.VolumeSource) { s.Flocker = &corev1.FlockerVolumeSource{} },
	func(s *corev1.VolumeSource) { s.FC = &corev1.FCVolumeSource{} },
	func(s *corev1.VolumeSource) { s.AzureFile = &corev1.AzureFileVolumeSource{} },
	func(s *corev1.VolumeSource) { s.VsphereVolume = &corev1.VsphereVirtualDiskVolumeSource{} },
	func(s *corev1.VolumeSource) { s.Quobyte = &corev1.QuobyteVolumeSource{} },
	func(s *corev1.VolumeSource) { s.AzureDisk = &corev1.AzureDiskVolumeSource{} },
	func(s *corev1.VolumeSource) { s.PhotonPersistentDisk = &corev1.PhotonPersistentDiskVolumeSource{} },
	func(s *corev1.VolumeSource) { s.PortworxVolume = &corev1.PortworxVolumeSource{} },
	func(s *corev1.VolumeSource) { s.ScaleIO = &corev1.ScaleIOVolumeSource{} },
	func(s *corev1.VolumeSource) { s.StorageOS = &corev1.StorageOSVolumeSource{} },
}
