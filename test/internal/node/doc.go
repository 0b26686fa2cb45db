// Package node runs a real Kubernetes node for the sync loop: containerd
// v2.4.2 with Debian's runc and the CNI bridge, the kubelet and kube-proxy
// (nftables) of Kubernetes v1.37.2, against a kube-apiserver the caller
// runs. Pods really run: images are built here (Image, StandardImages),
// hookgen's by make image's own script (HookgenArchive), and imported
// into containerd, since no registry is reachable.
//
// The node lives in private mount and network namespaces that Main (or
// RunInNamespaces) makes: tmpfs over /run, /var/lib and /var/log, and a
// veth pair carrying NodeIP. A DNS server on the node IP resolves
// <service>.<namespace>.svc.cluster.local to ClusterIPs, and a recording
// HTTP sink answers at SinkURL (and HTTPS at SinkTLSURL, with a
// certificate of a private CA, Sink.CA) through a Service whose
// EndpointSlice points at the node.
//
// The kubelet's cgroups (cgroup v1, cgroupfs driver) are host-wide, so a
// flock in the host's temp dir lets one node run at a time; Stop removes
// the kubepods cgroups.
package node
