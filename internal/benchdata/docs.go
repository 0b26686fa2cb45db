package benchdata

import (
	"fmt"
	"strings"
)

// ConfigMap is one plain resource, about 400 bytes, as written by hand.
func ConfigMap(i int) string {
	return fmt.Sprintf(`# config %[1]d
apiVersion: v1
kind: ConfigMap
metadata:
  name: config-%[1]d
  labels:
    app.kubernetes.io/name: api
    app.kubernetes.io/component: config
  annotations:
    acme.example.com/owner: "team-%[2]d"
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "search,checkout,recommendations"
  settings.json: |
    {"enabled": true, "shard": %[1]d, "name": "config-%[1]d"}
`, i, i%7)
}

// A Shape is one kind of plain resource, the rows over plain apps run
// for each: the ConfigMaps above as written by hand, lean ConfigMaps,
// Deployments with long values, and documents written as flow-style maps.
type Shape struct {
	Name, What string
	Doc        func(i int) string
}

// Shapes are the four, the hand-written ConfigMaps first.
var Shapes = []Shape{
	{"configmaps", "1,000 ConfigMaps as written by hand (about 400 bytes each)", ConfigMap},
	{"lean", "1,000 lean ConfigMaps (about 90 bytes each)", LeanConfigMap},
	{"deployments", "1,000 Deployments with long values (about 4 KB each)", LongDeployment},
	{"flow", "1,000 ConfigMaps written as flow-style maps", FlowConfigMap},
}

// LeanConfigMap is the least a ConfigMap holds.
func LeanConfigMap(i int) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lean-%d\ndata:\n  key: value-%d\n", i, i)
}

// LongDeployment is a Deployment with long strings: a certificate-sized
// annotation, long environment values and a long folded command line.
func LongDeployment(i int) string {
	long := func(seed string, n int) string {
		var b strings.Builder
		for b.Len() < n {
			fmt.Fprintf(&b, "%s%d", seed, b.Len()*31+i)
		}
		return b.String()[:n]
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker-%[1]d
  labels:
    app.kubernetes.io/name: worker-%[1]d
  annotations:
    acme.example.com/ca-bundle: %[2]q
spec:
  replicas: 2
  selector:
    matchLabels: {app.kubernetes.io/name: worker-%[1]d}
  template:
    metadata:
      labels: {app.kubernetes.io/name: worker-%[1]d}
    spec:
      containers:
        - name: main
          image: ghcr.io/acme/worker:1.%[1]d.0
          command: [/app/worker]
          args:
            - --config=%[3]s
            - >-
              --queue=jobs-%[1]d --concurrency=8 --metrics-addr=0.0.0.0:9090
              --log-format=json %[6]s
          env:
            - name: JAVA_OPTS
              value: "%[4]s"
            - name: ALLOWED_ORIGINS
              value: %[5]q
`, i, long("MIIB", 1200), long("/etc/worker/conf.d/", 400), long("-XX:+UseG1GC -Xmx", 600),
		long("https://app.example.com/", 600), long("--flag-", 500))
}

// FlowConfigMap writes the maps below the top level in flow style, as
// generators and hand-compacted files do. (A document that starts with
// "{" is read as JSON by Argo CD, and so by hookgen.)
func FlowConfigMap(i int) string {
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: flow-%[1]d, labels: {app.kubernetes.io/name: api, app.kubernetes.io/component: config}, annotations: {acme.example.com/owner: "team-%[2]d"}}
data: {LOG_LEVEL: info, FEATURE_FLAGS: "search,checkout,recommendations", shard: "%[1]d", ports: "[8080, 8443]"}
`, i, i%7)
}
