// Package kubeapi runs a real Kubernetes API server (kube-apiserver v1.37.2
// on etcd 3.7.3, both built by test/tools/build.sh kube etcd) on loopback for
// server-side checks of generated manifests: defaulting, validation, Pod
// Security admission and warnings, all with dryRun=All so nothing is stored.
//
// Start gives each test its own server (about 3 s to /readyz, ~350 MB RSS).
// Shared gives all tests of a package one server, started on first use;
// stop it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(kubeapi.Main(m)) }
//
//	func TestJob(t *testing.T) {
//		api := kubeapi.Shared(t)
//		ns := api.TestNamespace(t, map[string]string{"pod-security.kubernetes.io/enforce": "restricted"})
//		res, err := api.DryRunCreate(ctx, ns, jobYAML)
//		// res.StatusCode, res.Warnings, res.Object
//	}
//
// The server uses a token file (system:masters), a self-signed serving
// certificate generated into its cert dir, a service-account key pair
// generated in Go, --endpoint-reconciler-type=none (required with a loopback
// advertise address) and no ServiceAccount admission (there is no controller
// manager to create service accounts) and --allow-privileged=true, as in
// real clusters, so that Pod Security admission decides about privileged
// containers. Kubeconfig returns a kubeconfig file
// for kubectl or client-go. On test failure the daemon logs are dumped; the
// API server is always stopped before etcd.
package kubeapi
