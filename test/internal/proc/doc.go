// Package proc starts and stops the daemons the harness packages run
// (etcd, kube-apiserver, argocd-cmp-server, ...): one process group per
// daemon, output captured to a log file, a parent-death signal so that a
// crashed or timed-out test binary leaves nothing running, an orderly stop
// with a configurable signal and a SIGKILL fallback, and log tails for test
// failure reports.
//
// It also provides short temporary directories, because unix socket paths
// must stay below 108 bytes and t.TempDir() paths grow with test names.
package proc
