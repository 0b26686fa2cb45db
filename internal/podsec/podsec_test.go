package podsec

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// base is a pod that passes restricted: every case edits it.
const base = `{
  "metadata": {"name": "p"},
  "spec": {
    "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [{"name": "app", "image": "x", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]
  }
}`

func decode(t testing.TB, text string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", text, err)
	}
	return v
}

// edit sets the value at a field path (spec.containers[0].name) to the
// JSON text val, creating objects on the way; val "-" deletes the key.
type edit struct{ path, val string }

func apply(t *testing.T, doc any, e edit) {
	t.Helper()
	path := strings.NewReplacer("[", ".", "]", "").Replace(e.path)
	parts := strings.Split(path, ".")
	cur := doc
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if e.val == "-" {
					delete(c, p)
				} else {
					c[p] = decode(t, e.val)
				}
				return
			}
			next, ok := c[p]
			if !ok || next == nil {
				next = map[string]any{}
				c[p] = next
			}
			cur = next
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n >= len(c) {
				t.Fatalf("edit %s: bad index %q", e.path, p)
			}
			if last {
				c[n] = decode(t, e.val)
				return
			}
			cur = c[n]
		default:
			t.Fatalf("edit %s: %q is not a map or list", e.path, p)
		}
	}
}

func run(t *testing.T, edits []edit) []Violation {
	t.Helper()
	doc := decode(t, base).(map[string]any)
	for _, e := range edits {
		apply(t, doc, e)
	}
	meta, _ := doc["metadata"].(map[string]any)
	spec, _ := doc["spec"].(map[string]any)
	return Restricted(meta, spec)
}

func brief(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Field+" "+v.Check)
	}
	return out
}

const (
	c0  = "spec.containers[0]"
	sc0 = c0 + ".securityContext"
	psc = "spec.securityContext"
)

func TestRestricted(t *testing.T) {
	ctr := func(name string, sc string) string {
		return `{"name":"` + name + `","securityContext":` + sc + `}`
	}
	good := `{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}`
	for _, tc := range []struct {
		name  string
		edits []edit
		want  []string
	}{
		{"base pod passes", nil, nil},
		{"empty spec", []edit{{"spec", `{}`}}, nil},
		{"null spec fields", []edit{{"spec", `{"hostNetwork":null,"securityContext":null,"containers":null,"volumes":null,"os":null,"hostUsers":null}`}}, nil},

		// hostNamespaces
		{"hostNetwork true", []edit{{"spec.hostNetwork", `true`}}, []string{"spec.hostNetwork hostNamespaces"}},
		{"hostPID true", []edit{{"spec.hostPID", `true`}}, []string{"spec.hostPID hostNamespaces"}},
		{"hostIPC true", []edit{{"spec.hostIPC", `true`}}, []string{"spec.hostIPC hostNamespaces"}},
		{"host namespaces false", []edit{{"spec.hostNetwork", `false`}, {"spec.hostPID", `false`}, {"spec.hostIPC", `false`}}, nil},
		{"hostNetwork string True", []edit{{"spec.hostNetwork", `"True"`}}, []string{"spec.hostNetwork type"}},
		{"hostNetwork number 1", []edit{{"spec.hostNetwork", `1`}}, []string{"spec.hostNetwork type"}},
		{"key case differs: ignored like the API server", []edit{{"spec.HostNetwork", `true`}}, nil},

		// privileged
		{"privileged true", []edit{{sc0 + ".privileged", `true`}}, []string{sc0 + ".privileged privileged"}},
		{"privileged false", []edit{{sc0 + ".privileged", `false`}}, nil},
		{"privileged null", []edit{{sc0 + ".privileged", `null`}}, nil},
		{"privileged string TRUE", []edit{{sc0 + ".privileged", `"TRUE"`}}, []string{sc0 + ".privileged type"}},

		// capabilities
		{"capabilities missing", []edit{{sc0 + ".capabilities", "-"}}, []string{sc0 + ".capabilities.drop capabilities_restricted"}},
		{"capabilities null", []edit{{sc0 + ".capabilities", "null"}}, []string{sc0 + ".capabilities.drop capabilities_restricted"}},
		{"drop all lowercase", []edit{{sc0 + ".capabilities.drop", `["all"]`}}, []string{sc0 + ".capabilities.drop capabilities_restricted"}},
		{"drop ALL among others", []edit{{sc0 + ".capabilities.drop", `["NET_RAW","ALL"]`}}, nil},
		{"add NET_BIND_SERVICE", []edit{{sc0 + ".capabilities.add", `["NET_BIND_SERVICE"]`}}, nil},
		{"add baseline capability", []edit{{sc0 + ".capabilities.add", `["NET_BIND_SERVICE","CHOWN"]`}}, []string{sc0 + ".capabilities.add[1] capabilities_restricted"}},
		{"add SYS_ADMIN", []edit{{sc0 + ".capabilities.add", `["SYS_ADMIN"]`}}, []string{sc0 + ".capabilities.add[0] capabilities_restricted"}},
		{"add null element is the empty capability", []edit{{sc0 + ".capabilities.add", `[null]`}}, []string{sc0 + ".capabilities.add[0] capabilities_restricted"}},
		{"drop as string", []edit{{sc0 + ".capabilities.drop", `"ALL"`}}, []string{sc0 + ".capabilities.drop type", sc0 + ".capabilities.drop capabilities_restricted"}},
		{"drop element number", []edit{{sc0 + ".capabilities.drop", `[1]`}}, []string{sc0 + ".capabilities.drop[0] type", sc0 + ".capabilities.drop capabilities_restricted"}},

		// hostPath and volume types
		{"hostPath volume", []edit{{"spec.volumes", `[{"name":"h","hostPath":{"path":"/"}}]`}}, []string{"spec.volumes[0].hostPath restrictedVolumes"}},
		{"allowed volumes", []edit{{"spec.volumes", `[{"name":"a","configMap":{}},{"name":"b","csi":{"driver":"d"}},{"name":"c","downwardAPI":{}},{"name":"d","emptyDir":{}},{"name":"e","ephemeral":{}},{"name":"f","image":{}},{"name":"g","persistentVolumeClaim":{"claimName":"x"}},{"name":"h","projected":{}},{"name":"i","secret":{}}]`}}, nil},
		{"nfs, iscsi, gitRepo", []edit{{"spec.volumes", `[{"name":"a","nfs":{}},{"name":"b","iscsi":{}},{"name":"c","gitRepo":{}}]`}}, []string{"spec.volumes[0].nfs restrictedVolumes", "spec.volumes[1].iscsi restrictedVolumes", "spec.volumes[2].gitRepo restrictedVolumes"}},
		{"volume without source", []edit{{"spec.volumes", `[{"name":"a"}]`}}, []string{"spec.volumes[0] restrictedVolumes"}},
		{"volume with unknown source only", []edit{{"spec.volumes", `[{"name":"a","EmptyDir":{}}]`}}, []string{"spec.volumes[0] restrictedVolumes"}},
		{"volume source null", []edit{{"spec.volumes", `[{"name":"a","emptyDir":null}]`}}, []string{"spec.volumes[0] restrictedVolumes"}},
		{"volume null element", []edit{{"spec.volumes", `[null]`}}, []string{"spec.volumes[0] restrictedVolumes"}},
		{"volume source mistyped", []edit{{"spec.volumes", `[{"name":"a","emptyDir":true}]`}}, []string{"spec.volumes[0].emptyDir type", "spec.volumes[0] restrictedVolumes"}},
		{"allowed source beside a restricted one (the library's switch)", []edit{{"spec.volumes", `[{"name":"a","emptyDir":{},"hostPath":{}}]`}}, nil},

		// hostPorts
		{"hostPort", []edit{{c0 + ".ports", `[{"containerPort":80},{"containerPort":81,"hostPort":8080}]`}}, []string{c0 + ".ports[1].hostPort hostPorts"}},
		{"hostPort 0 and -0", []edit{{c0 + ".ports", `[{"containerPort":80,"hostPort":0},{"containerPort":81,"hostPort":-0}]`}}, nil},
		{"hostPort 1.0", []edit{{c0 + ".ports", `[{"hostPort":1.0}]`}}, []string{c0 + ".ports[0].hostPort type"}},
		{"hostPort 0.0", []edit{{c0 + ".ports", `[{"hostPort":0.0}]`}}, []string{c0 + ".ports[0].hostPort type"}},
		{"hostPort 1e3", []edit{{c0 + ".ports", `[{"hostPort":1e3}]`}}, []string{c0 + ".ports[0].hostPort type"}},
		{"hostPort beyond int32", []edit{{c0 + ".ports", `[{"hostPort":4294967296}]`}}, []string{c0 + ".ports[0].hostPort type"}},
		{"hostPort string", []edit{{c0 + ".ports", `[{"hostPort":"80"}]`}}, []string{c0 + ".ports[0].hostPort type"}},

		// AppArmor
		{"apparmor annotation unconfined", []edit{{"metadata.annotations", `{"container.apparmor.security.beta.kubernetes.io/app":"unconfined"}`}}, []string{"metadata.annotations[container.apparmor.security.beta.kubernetes.io/app] appArmorProfile"}},
		{"apparmor annotations allowed", []edit{{"metadata.annotations", `{"container.apparmor.security.beta.kubernetes.io/a":"runtime/default","container.apparmor.security.beta.kubernetes.io/b":"localhost/p","container.apparmor.security.beta.kubernetes.io/c":"","container.apparmor.security.beta.kubernetes.io/d":null,"other":"unconfined"}`}}, nil},
		{"apparmor annotation wrong case", []edit{{"metadata.annotations", `{"container.apparmor.security.beta.kubernetes.io/a":"Runtime/Default"}`}}, []string{"metadata.annotations[container.apparmor.security.beta.kubernetes.io/a] appArmorProfile"}},
		{"annotation key with control characters is quoted", []edit{{"metadata.annotations", `{"container.apparmor.security.beta.kubernetes.io/a\n\u001b[31m":"unconfined"}`}}, []string{`metadata.annotations["container.apparmor.security.beta.kubernetes.io/a\n\x1b[31m"] appArmorProfile`}},
		{"annotation value number", []edit{{"metadata.annotations", `{"b":1,"a":true}`}}, []string{"metadata.annotations[a] type", "metadata.annotations[b] type"}},
		{"pod appArmorProfile Unconfined", []edit{{psc + ".appArmorProfile", `{"type":"Unconfined"}`}}, []string{psc + ".appArmorProfile.type appArmorProfile"}},
		{"container appArmorProfile empty object", []edit{{sc0 + ".appArmorProfile", `{}`}}, []string{sc0 + ".appArmorProfile.type appArmorProfile"}},
		{"appArmorProfile allowed", []edit{{psc + ".appArmorProfile", `{"type":"Localhost","localhostProfile":"p"}`}, {sc0 + ".appArmorProfile", `{"type":"RuntimeDefault"}`}}, nil},

		// SELinux
		{"selinux allowed", []edit{{psc + ".seLinuxOptions", `{"type":"container_engine_t","level":"s0:c1"}`}, {sc0 + ".seLinuxOptions", `{"type":""}`}}, nil},
		{"selinux type", []edit{{psc + ".seLinuxOptions", `{"type":"spc_t"}`}}, []string{psc + ".seLinuxOptions.type seLinuxOptions"}},
		{"selinux user and role", []edit{{sc0 + ".seLinuxOptions", `{"user":"u","role":"r"}`}}, []string{sc0 + ".seLinuxOptions.user seLinuxOptions", sc0 + ".seLinuxOptions.role seLinuxOptions"}},

		// procMount
		{"procMount Unmasked", []edit{{sc0 + ".procMount", `"Unmasked"`}}, []string{sc0 + ".procMount procMount_restricted"}},
		{"procMount Default", []edit{{sc0 + ".procMount", `"Default"`}}, nil},
		{"procMount empty string", []edit{{sc0 + ".procMount", `""`}}, []string{sc0 + ".procMount procMount_restricted"}},
		{"procMount Unmasked in a user namespace", []edit{{"spec.hostUsers", `false`}, {sc0 + ".procMount", `"Unmasked"`}}, []string{sc0 + ".procMount procMount_restricted"}},

		// seccomp
		{"seccomp pod Unconfined", []edit{{psc + ".seccompProfile", `{"type":"Unconfined"}`}}, []string{psc + ".seccompProfile.type seccompProfile_restricted"}},
		{"seccomp missing", []edit{{psc + ".seccompProfile", "-"}}, []string{sc0 + ".seccompProfile.type seccompProfile_restricted"}},
		{"seccomp container Localhost", []edit{{psc + ".seccompProfile", "-"}, {sc0 + ".seccompProfile", `{"type":"Localhost","localhostProfile":"x"}`}}, nil},
		{"seccomp container overrides with bad", []edit{{sc0 + ".seccompProfile", `{"type":"runtime/default"}`}}, []string{sc0 + ".seccompProfile.type seccompProfile_restricted"}},
		{"seccomp empty object", []edit{{psc + ".seccompProfile", `{}`}}, []string{psc + ".seccompProfile.type seccompProfile_restricted"}},

		// sysctls
		{"sysctls safe", []edit{{psc + ".sysctls", `[{"name":"net.ipv4.tcp_notsent_lowat","value":"1"},{"name":"kernel.shm_rmid_forced","value":"1"}]`}}, nil},
		{"sysctls unsafe", []edit{{psc + ".sysctls", `[{"name":"kernel.msgmax","value":"1"},{"name":"net.ipv4.tcp_rmem"},{"name":"Net.ipv4.tcp_wmem"}]`}}, []string{psc + ".sysctls[0].name sysctls", psc + ".sysctls[2].name sysctls"}},

		// privilege escalation
		{"allowPrivilegeEscalation missing", []edit{{sc0 + ".allowPrivilegeEscalation", "-"}}, []string{sc0 + ".allowPrivilegeEscalation allowPrivilegeEscalation"}},
		{"allowPrivilegeEscalation true", []edit{{sc0 + ".allowPrivilegeEscalation", "true"}}, []string{sc0 + ".allowPrivilegeEscalation allowPrivilegeEscalation"}},
		{"allowPrivilegeEscalation string false", []edit{{sc0 + ".allowPrivilegeEscalation", `"false"`}}, []string{sc0 + ".allowPrivilegeEscalation type", sc0 + ".allowPrivilegeEscalation allowPrivilegeEscalation"}},

		// runAsNonRoot and runAsUser
		{"runAsNonRoot pod false", []edit{{psc + ".runAsNonRoot", `false`}}, []string{psc + ".runAsNonRoot runAsNonRoot"}},
		{"runAsNonRoot missing everywhere", []edit{{psc + ".runAsNonRoot", "-"}}, []string{sc0 + ".runAsNonRoot runAsNonRoot"}},
		{"runAsNonRoot only on the container", []edit{{psc + ".runAsNonRoot", "-"}, {sc0 + ".runAsNonRoot", `true`}}, nil},
		{"runAsNonRoot container false", []edit{{sc0 + ".runAsNonRoot", `false`}}, []string{sc0 + ".runAsNonRoot runAsNonRoot"}},
		{"runAsNonRoot string", []edit{{psc + ".runAsNonRoot", `"true"`}}, []string{psc + ".runAsNonRoot type", sc0 + ".runAsNonRoot runAsNonRoot"}},
		{"runAsUser 0", []edit{{psc + ".runAsUser", `0`}}, []string{psc + ".runAsUser runAsUser"}},
		{"runAsUser -0 is 0", []edit{{sc0 + ".runAsUser", `-0`}}, []string{sc0 + ".runAsUser runAsUser"}},
		{"runAsUser 1000", []edit{{psc + ".runAsUser", `1000`}, {sc0 + ".runAsUser", `1000`}}, nil},
		{"runAsUser 0.0", []edit{{psc + ".runAsUser", `0.0`}}, []string{psc + ".runAsUser type"}},
		{"runAsUser 0e0", []edit{{psc + ".runAsUser", `0e0`}}, []string{psc + ".runAsUser type"}},
		{"runAsUser string", []edit{{psc + ".runAsUser", `"0"`}}, []string{psc + ".runAsUser type"}},
		{"runAsUser beyond int64", []edit{{psc + ".runAsUser", `9223372036854775808`}}, []string{psc + ".runAsUser type"}},
		{"user namespace relaxes runAsNonRoot and runAsUser", []edit{{"spec.hostUsers", `false`}, {psc + ".runAsNonRoot", `false`}, {sc0 + ".runAsUser", `0`}}, nil},
		{"hostUsers true does not relax", []edit{{"spec.hostUsers", `true`}, {sc0 + ".runAsUser", `0`}}, []string{sc0 + ".runAsUser runAsUser"}},

		// Windows
		{"hostProcess pod", []edit{{psc + ".windowsOptions", `{"hostProcess":true}`}}, []string{psc + ".windowsOptions.hostProcess windowsHostProcess"}},
		{"hostProcess container", []edit{{sc0 + ".windowsOptions", `{"hostProcess":true}`}}, []string{sc0 + ".windowsOptions.hostProcess windowsHostProcess"}},
		{"hostProcess false", []edit{{sc0 + ".windowsOptions", `{"hostProcess":false,"runAsUserName":"x"}`}}, nil},
		{"windows pod exempt from seccomp, capabilities and escalation", []edit{{"spec.os", `{"name":"windows"}`}, {"spec.securityContext", `{"runAsNonRoot":true}`}, {sc0, `{}`}}, nil},
		{"Windows spelled with a capital is not windows", []edit{{"spec.os", `{"name":"Windows"}`}, {"spec.securityContext", `{"runAsNonRoot":true}`}, {sc0, `{}`}}, []string{
			sc0 + ".allowPrivilegeEscalation allowPrivilegeEscalation",
			sc0 + ".capabilities.drop capabilities_restricted",
			sc0 + ".seccompProfile.type seccompProfile_restricted",
		}},

		// probes and lifecycle hosts
		{"probe hosts", []edit{
			{c0 + ".livenessProbe", `{"httpGet":{"host":"10.0.0.1","port":80}}`},
			{c0 + ".readinessProbe", `{"tcpSocket":{"host":"","port":80}}`},
			{c0 + ".startupProbe", `{"tcpSocket":{"host":"h","port":80}}`},
			{c0 + ".lifecycle", `{"postStart":{"httpGet":{"host":"a","port":1}},"preStop":{"tcpSocket":{"host":"b","port":1}}}`},
		}, []string{
			c0 + ".livenessProbe.httpGet.host hostProbesAndHostLifecycle",
			c0 + ".startupProbe.tcpSocket.host hostProbesAndHostLifecycle",
			c0 + ".lifecycle.postStart.httpGet.host hostProbesAndHostLifecycle",
			c0 + ".lifecycle.preStop.tcpSocket.host hostProbesAndHostLifecycle",
		}},

		// init and ephemeral containers
		{"init and ephemeral containers judged", []edit{
			{"spec.initContainers", `[` + ctr("i", good) + `,` + ctr("j", `{}`) + `]`},
			{"spec.ephemeralContainers", `[` + ctr("e", `{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"privileged":true}`) + `]`},
		}, []string{
			"spec.ephemeralContainers[0].securityContext.privileged privileged",
			"spec.initContainers[1].securityContext.allowPrivilegeEscalation allowPrivilegeEscalation",
			"spec.initContainers[1].securityContext.capabilities.drop capabilities_restricted",
		}},
		{"container without securityContext", []edit{{"spec.containers", `[{"name":"a"}]`}}, []string{
			"spec.containers[0].securityContext.allowPrivilegeEscalation allowPrivilegeEscalation",
			"spec.containers[0].securityContext.capabilities.drop capabilities_restricted",
		}},
		{"null container is an empty one", []edit{{"spec.containers", `[null]`}}, []string{
			"spec.containers[0].securityContext.allowPrivilegeEscalation allowPrivilegeEscalation",
			"spec.containers[0].securityContext.capabilities.drop capabilities_restricted",
		}},
		{"containers as an object", []edit{{"spec.containers", `{"name":"a"}`}}, []string{"spec.containers type"}},
		{"securityContext as a list", []edit{{sc0, `[]`}}, []string{
			sc0 + " type",
			sc0 + ".allowPrivilegeEscalation allowPrivilegeEscalation",
			sc0 + ".capabilities.drop capabilities_restricted",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, tc.edits)
			if !slices.Equal(brief(got), tc.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(brief(got), "\n  "), strings.Join(tc.want, "\n  "))
			}
			for _, v := range got {
				if v.Message == "" {
					t.Errorf("%s: empty message", v.Field)
				}
			}
		})
	}
}

// TestMessages pins the wording a user sees for each kind of violation.
func TestMessages(t *testing.T) {
	for _, tc := range []struct {
		edit edit
		want string
	}{
		{edit{sc0 + ".privileged", `true`}, `spec.containers[0].securityContext.privileged: privileged: container "app" must not set securityContext.privileged=true`},
		{edit{"spec.hostNetwork", `"yes"`}, `spec.hostNetwork: type: must be a boolean, not the string "yes"; the API server rejects this object`},
		{edit{psc + ".runAsUser", `1.5`}, `spec.securityContext.runAsUser: type: must be an integer (int64), not the number 1.5; the API server rejects this object`},
		{edit{"spec.volumes", `[{"name":"n","nfs":{}}]`}, `spec.volumes[0].nfs: restrictedVolumes: volume "n" uses restricted volume type nfs; use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret`},
		{edit{psc + ".sysctls", `[{"name":"kernel.msgmax"}]`}, `spec.securityContext.sysctls[0].name: sysctls: sysctl "kernel.msgmax" is not in the safe set`},
		{edit{psc + ".runAsNonRoot", `false`}, `spec.securityContext.runAsNonRoot: runAsNonRoot: pod must not set securityContext.runAsNonRoot=false`},
		{edit{psc + ".seccompProfile", `{"type":"Unconfined"}`}, `spec.securityContext.seccompProfile.type: seccompProfile_restricted: pod must not set securityContext.seccompProfile.type to "Unconfined"; use RuntimeDefault or Localhost`},
	} {
		got := run(t, []edit{tc.edit})
		if len(got) == 0 || got[0].String() != tc.want {
			t.Errorf("%v:\n got %v\nwant %s", tc.edit, got, tc.want)
		}
	}
}

// TestGoTypesOutsideTheModel: a value encoding/json never yields is a type
// violation, never a pass.
func TestGoTypesOutsideTheModel(t *testing.T) {
	spec := map[string]any{
		"hostNetwork":     false,
		"securityContext": map[string]any{"runAsNonRoot": true, "runAsUser": 0.0, "seccompProfile": map[string]any{"type": "RuntimeDefault"}},
	}
	got := brief(Restricted(nil, spec))
	want := []string{"spec.securityContext.runAsUser type"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, n := range []json.Number{"+0", "00", "0x0", "", "1_0"} {
		spec["securityContext"].(map[string]any)["runAsUser"] = n
		if got := brief(Restricted(nil, spec)); !slices.Equal(got, want) {
			t.Errorf("runAsUser json.Number(%q): got %v, want %v", n, got, want)
		}
	}
}

func TestChecksOrder(t *testing.T) {
	got := Checks()
	want := []string{
		"appArmorProfile", "hostNamespaces", "hostPorts", "hostProbesAndHostLifecycle", "privileged", "seLinuxOptions", "sysctls", "windowsHostProcess",
		"allowPrivilegeEscalation", "capabilities_restricted", "procMount_restricted", "restrictedVolumes", "runAsNonRoot", "runAsUser", "seccompProfile_restricted",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

// TestDeterministic: the same pod gives the same violations in the same
// order, whatever the map order of annotations.
func TestDeterministic(t *testing.T) {
	text := `{"metadata":{"annotations":{"z":1,"container.apparmor.security.beta.kubernetes.io/b":"x","container.apparmor.security.beta.kubernetes.io/a":"y","y":2}},
	  "spec":{"hostNetwork":true,"containers":[{"name":"a"},{"name":"b","securityContext":{"privileged":true}}],"volumes":[{"name":"v","hostPath":{}}]}}`
	var first []Violation
	for i := 0; i < 50; i++ {
		doc := decode(t, text).(map[string]any)
		got := Restricted(doc["metadata"].(map[string]any), doc["spec"].(map[string]any))
		if i == 0 {
			first = got
			continue
		}
		if !reflect.DeepEqual(got, first) {
			t.Fatalf("run %d differs:\n%v\n%v", i, got, first)
		}
	}
	var b bytes.Buffer
	for _, v := range first {
		b.WriteString(v.String() + "\n")
	}
	if !strings.HasPrefix(b.String(), "metadata.annotations[y]: type:") {
		t.Errorf("type errors first, sorted:\n%s", b.String())
	}
}

// TestUnset: a violation is Unset when the pod leaves out hardening
// restricted requires, and not when it sets what restricted forbids.
func TestUnset(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edits []edit
		want  []string // check:unset of every violation, in order
	}{
		{"allowPrivilegeEscalation unset", []edit{{"spec.containers[0].securityContext.allowPrivilegeEscalation", "-"}}, []string{"allowPrivilegeEscalation:true"}},
		{"allowPrivilegeEscalation true", []edit{{"spec.containers[0].securityContext.allowPrivilegeEscalation", "true"}}, []string{"allowPrivilegeEscalation:false"}},
		{"no securityContext", []edit{{"spec.containers[0].securityContext", "-"}}, []string{"allowPrivilegeEscalation:true", "capabilities_restricted:true"}},
		{"drop without ALL", []edit{{"spec.containers[0].securityContext.capabilities.drop", `["NET_RAW"]`}}, []string{"capabilities_restricted:true"}},
		{"adds a capability", []edit{{"spec.containers[0].securityContext.capabilities.add", `["SYS_ADMIN"]`}}, []string{"capabilities_restricted:false"}},
		{"runAsNonRoot unset", []edit{{"spec.securityContext.runAsNonRoot", "-"}}, []string{"runAsNonRoot:true"}},
		{"runAsNonRoot false", []edit{{"spec.securityContext.runAsNonRoot", "false"}}, []string{"runAsNonRoot:false"}},
		{"runAsUser 0", []edit{{"spec.securityContext.runAsUser", "0"}}, []string{"runAsUser:false"}},
		{"seccomp unset", []edit{{"spec.securityContext.seccompProfile", "-"}}, []string{"seccompProfile_restricted:true"}},
		{"seccomp Unconfined", []edit{{"spec.securityContext.seccompProfile.type", `"Unconfined"`}}, []string{"seccompProfile_restricted:false"}},
		{"privileged", []edit{{"spec.containers[0].securityContext.privileged", "true"}}, []string{"privileged:false"}},
		{"hostNetwork", []edit{{"spec.hostNetwork", "true"}}, []string{"hostNamespaces:false"}},
		{"nfs volume", []edit{{"spec.volumes", `[{"name": "v", "nfs": {"server": "s", "path": "/"}}]`}}, []string{"restrictedVolumes:false"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := decode(t, base)
			for _, e := range tc.edits {
				apply(t, doc, e)
			}
			m := doc.(map[string]any)
			var got []string
			for _, v := range Restricted(m["metadata"].(map[string]any), m["spec"].(map[string]any)) {
				got = append(got, v.Check+":"+strconv.FormatBool(v.Unset))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
