package node

import (
	"fmt"
	"path/filepath"
	"strconv"
)

// containerdConfig is containerd's configuration (version 4) with
// everything under dir, Debian's runc, and the CNI directories of the node.
// restrict_oom_score_adj keeps the sandbox's OOM score at or above
// containerd's own: root here lacks CAP_SYS_RESOURCE, and runc fails every
// sandbox asked for -998 ("can't get final child's PID from pipe: EOF").
func containerdConfig(dir, socket string) string {
	q := strconv.Quote
	p := func(rel string) string { return q(filepath.Join(dir, rel)) }
	return fmt.Sprintf(`version = 4
root = %s
state = %s
disabled_plugins = ["io.containerd.nri.v1.nri"]
imports = []

[plugins]
  [plugins."io.containerd.server.v1.grpc"]
    address = %s
  [plugins."io.containerd.server.v1.ttrpc"]
    address = %s
  [plugins."io.containerd.cri.v1.runtime"]
    restrict_oom_score_adj = true
    cdi_spec_dirs = []
    [plugins."io.containerd.cri.v1.runtime".containerd]
      default_runtime_name = "runc"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
          BinaryName = %s
          Root = %s
          SystemdCgroup = false
    [plugins."io.containerd.cri.v1.runtime".cni]
      bin_dirs = [%s]
      conf_dir = %s
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = %s
  [plugins."io.containerd.internal.v1.opt"]
    path = %s
  [plugins."io.containerd.shim.v1.manager"]
    socket_dir = %s
`, p("containerd/root"), p("containerd/state"), q(socket), q(socket+".ttrpc"), q(RuncPath), p("runc"), p("cni/bin"), p("cni/conf"),
		q(PauseImage), p("containerd/opt"), p("s"))
}

// cniConfig is the pods' network: a bridge with host-local addresses from
// PodCIDR; no masquerading (there is no iptables), the node routes.
func cniConfig(dataDir string) string {
	return fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": "hookgen-node",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": %q}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": %q
      }
    },
    {"type": "loopback"}
  ]
}
`, PodCIDR, dataDir)
}

// kubeletConfig: cgroup v1 with the cgroupfs driver, containerd's socket,
// no authentication or TLS bootstrap, Services resolved by the node's DNS,
// and eviction thresholds a busy shared machine does not cross.
func kubeletConfig(dir, socket string) string {
	return fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://%[2]s
imageServiceEndpoint: unix://%[2]s
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
address: %[3]s
port: %[4]d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: %[5]d
podLogsDir: %[1]s/pod-logs
volumePluginDir: %[1]s/volume-plugins
rotateCertificates: false
serverTLSBootstrap: false
failSwapOn: false
evictionHard: {memory.available: 100Mi, nodefs.available: "1%%", imagefs.available: "1%%"}
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
clusterDNS: [%[6]s]
clusterDomain: %[7]s
resolvConf: ""
`, dir, socket, NodeIP, kubeletPort, kubeletHealthz, ServiceDNS, ClusterDomain)
}

// kubeProxyConfig: nftables mode (Debian's nft on PATH), conntrack left
// alone (the sysctls are not ours to change).
func kubeProxyConfig(kubeconfig string) string {
	return fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: %q}
mode: nftables
clusterCIDR: %s
bindAddress: %s
hostnameOverride: %s
healthzBindAddress: 127.0.0.1:%d
metricsBindAddress: 127.0.0.1:%d
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
`, kubeconfig, PodCIDR, NodeIP, NodeName, proxyHealthzPort, proxyMetricsPort)
}
