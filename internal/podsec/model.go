package podsec

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// pod is the part of a Pod the checks read, decoded from the JSON value
// model with the API server's typing rules.
type pod struct {
	annotations []annotation // sorted by key

	hostNetwork, hostPID, hostIPC field[bool]
	hostUsers                     field[bool]
	osName                        string

	sc *securityContext // spec.securityContext, nil when not set

	sysctls    []sysctl
	volumes    []volume
	containers []container // init, regular, ephemeral: the library's order
}

// field is a scalar the checks read, with where it sits. set is false when
// the key is absent, null or of the wrong type.
type field[T any] struct {
	path string
	val  T
	set  bool
}

type annotation struct {
	key, val string
}

// securityContext holds the fields a pod-level and a container-level
// security context share; the container-only fields stay unset at pod
// level.
type securityContext struct {
	path string

	runAsNonRoot field[bool]
	runAsUser    field[int64]
	seLinux      *seLinux
	seccomp      field[string] // set when seccompProfile is an object; val is its type
	appArmor     field[string] // set when appArmorProfile is an object; val is its type
	hostProcess  field[bool]

	// container only
	allowPrivilegeEscalation field[bool]
	privileged               field[bool]
	procMount                field[string]
	capabilities             *capabilities
}

type seLinux struct {
	path            string
	typ, user, role string
}

type capabilities struct {
	path      string
	add, drop []field[string]
}

type sysctl struct {
	path, name string
}

type volume struct {
	path, name string
	sources    []string // volume source keys set to an object, in volumeSources order
}

type container struct {
	path, name string
	sc         *securityContext
	hostPorts  []field[int64]  // non-zero hostPort values
	hosts      []field[string] // non-empty probe and lifecycle hosts
}

// volumeSources are the keys of a v1 VolumeSource.
var volumeSources = []string{
	"hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore",
	"gitRepo", "secret", "nfs", "iscsi", "glusterfs",
	"persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs",
	"flocker", "downwardAPI", "fc", "azureFile", "configMap",
	"vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
	"projected", "portworxVolume", "scaleIO", "storageos", "csi",
	"ephemeral", "image",
}

// decoder reads the JSON value model and records every type error.
type decoder struct {
	errs []Violation
}

func (d *decoder) typeErr(path, want string, v any) {
	d.errs = append(d.errs, Violation{
		Field:   path,
		Check:   CheckType,
		Message: fmt.Sprintf("must be %s, not %s; the API server rejects this object", want, describe(v)),
	})
}

// describe names a value's JSON type (and the value, for scalars) for a
// type error.
func describe(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "the string " + strconv.Quote(x)
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case json.Number:
		if isJSONNumber(string(x)) {
			return "the number " + string(x)
		}
		return "the number " + strconv.Quote(string(x))
	default:
		return fmt.Sprintf("a value of Go type %T", v)
	}
}

// object returns m[key] as an object; nil when absent, null or mistyped.
func (d *decoder) object(m map[string]any, key, path string) map[string]any {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	o, ok := v.(map[string]any)
	if !ok {
		d.typeErr(path, "an object", v)
		return nil
	}
	return o
}

// present reports whether m[key] is an object: a pointer field the API
// server decodes to non-nil. A mistyped value is a type error.
func (d *decoder) present(m map[string]any, key, path string) (map[string]any, bool) {
	o := d.object(m, key, path)
	return o, o != nil
}

// list returns m[key] as a list; nil when absent, null or mistyped.
func (d *decoder) list(m map[string]any, key, path string) []any {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		d.typeErr(path, "a list", v)
		return nil
	}
	return l
}

// element returns a list element as an object. A null element decodes to
// the zero value, as encoding/json decodes it into a struct: an empty
// object.
func (d *decoder) element(v any, path string) map[string]any {
	if v == nil {
		return map[string]any{}
	}
	o, ok := v.(map[string]any)
	if !ok {
		d.typeErr(path, "an object", v)
		return map[string]any{}
	}
	return o
}

func (d *decoder) boolean(m map[string]any, key, path string) field[bool] {
	f := field[bool]{path: path}
	v, ok := m[key]
	if !ok || v == nil {
		return f
	}
	b, ok := v.(bool)
	if !ok {
		d.typeErr(path, "a boolean", v)
		return f
	}
	f.val, f.set = b, true
	return f
}

func (d *decoder) str(m map[string]any, key, path string) field[string] {
	f := field[string]{path: path}
	v, ok := m[key]
	if !ok || v == nil {
		return f
	}
	return d.strValue(v, path)
}

// strValue reads a string; a null list element is the empty string.
func (d *decoder) strValue(v any, path string) field[string] {
	f := field[string]{path: path}
	if v == nil {
		f.set = true
		return f
	}
	s, ok := v.(string)
	if !ok {
		d.typeErr(path, "a string", v)
		return f
	}
	f.val, f.set = s, true
	return f
}

// integer reads an integer field of the given bit size the way
// encoding/json decodes it into a Go int: a JSON number without fraction
// or exponent that fits the field.
func (d *decoder) integer(m map[string]any, key, path string, bits int) field[int64] {
	f := field[int64]{path: path}
	v, ok := m[key]
	if !ok || v == nil {
		return f
	}
	want := fmt.Sprintf("an integer (int%d)", bits)
	n, ok := v.(json.Number)
	if !ok || !isJSONNumber(string(n)) {
		d.typeErr(path, want, v)
		return f
	}
	i, err := strconv.ParseInt(string(n), 10, bits)
	if err != nil {
		d.typeErr(path, want, v)
		return f
	}
	f.val, f.set = i, true
	return f
}

// isJSONNumber reports whether s is a number in JSON's grammar.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i == len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}

// decodePod reads what the checks need from metadata and spec.
func (d *decoder) decodePod(meta, spec map[string]any) *pod {
	p := &pod{}
	if ann := d.object(meta, "annotations", "metadata.annotations"); ann != nil {
		for k, v := range ann {
			a := d.strValue(v, annotationPath(k))
			p.annotations = append(p.annotations, annotation{key: k, val: a.val})
		}
		sort.Slice(p.annotations, func(i, j int) bool { return p.annotations[i].key < p.annotations[j].key })
		// type errors from a map come in map order; sort them by path
		sortTypeErrs(d.errs)
	}

	p.hostNetwork = d.boolean(spec, "hostNetwork", "spec.hostNetwork")
	p.hostPID = d.boolean(spec, "hostPID", "spec.hostPID")
	p.hostIPC = d.boolean(spec, "hostIPC", "spec.hostIPC")
	p.hostUsers = d.boolean(spec, "hostUsers", "spec.hostUsers")
	if os := d.object(spec, "os", "spec.os"); os != nil {
		p.osName = d.str(os, "name", "spec.os.name").val
	}

	if sc := d.object(spec, "securityContext", "spec.securityContext"); sc != nil {
		p.sc = d.securityContext(sc, "spec.securityContext", false)
		for i, v := range d.list(sc, "sysctls", "spec.securityContext.sysctls") {
			path := fmt.Sprintf("spec.securityContext.sysctls[%d]", i)
			e := d.element(v, path)
			p.sysctls = append(p.sysctls, sysctl{path: path + ".name", name: d.str(e, "name", path+".name").val})
		}
	}

	for i, v := range d.list(spec, "volumes", "spec.volumes") {
		path := fmt.Sprintf("spec.volumes[%d]", i)
		e := d.element(v, path)
		vol := volume{path: path, name: d.str(e, "name", path+".name").val}
		for _, src := range volumeSources {
			if _, ok := d.present(e, src, path+"."+src); ok {
				vol.sources = append(vol.sources, src)
			}
		}
		p.volumes = append(p.volumes, vol)
	}

	for _, kind := range []string{"initContainers", "containers", "ephemeralContainers"} {
		for i, v := range d.list(spec, kind, "spec."+kind) {
			path := fmt.Sprintf("spec.%s[%d]", kind, i)
			p.containers = append(p.containers, d.container(d.element(v, path), path))
		}
	}
	return p
}

func (d *decoder) securityContext(m map[string]any, path string, inContainer bool) *securityContext {
	sc := &securityContext{path: path}
	sc.runAsNonRoot = d.boolean(m, "runAsNonRoot", path+".runAsNonRoot")
	sc.runAsUser = d.integer(m, "runAsUser", path+".runAsUser", 64)
	if se := d.object(m, "seLinuxOptions", path+".seLinuxOptions"); se != nil {
		p := path + ".seLinuxOptions"
		sc.seLinux = &seLinux{
			path: p,
			typ:  d.str(se, "type", p+".type").val,
			user: d.str(se, "user", p+".user").val,
			role: d.str(se, "role", p+".role").val,
		}
	}
	if sp := d.object(m, "seccompProfile", path+".seccompProfile"); sp != nil {
		sc.seccomp = d.str(sp, "type", path+".seccompProfile.type")
		sc.seccomp.set = true
	} else {
		sc.seccomp.path = path + ".seccompProfile"
	}
	if ap := d.object(m, "appArmorProfile", path+".appArmorProfile"); ap != nil {
		sc.appArmor = d.str(ap, "type", path+".appArmorProfile.type")
		sc.appArmor.set = true
	} else {
		sc.appArmor.path = path + ".appArmorProfile"
	}
	if wo := d.object(m, "windowsOptions", path+".windowsOptions"); wo != nil {
		sc.hostProcess = d.boolean(wo, "hostProcess", path+".windowsOptions.hostProcess")
	}
	if !inContainer {
		return sc
	}
	sc.allowPrivilegeEscalation = d.boolean(m, "allowPrivilegeEscalation", path+".allowPrivilegeEscalation")
	sc.privileged = d.boolean(m, "privileged", path+".privileged")
	sc.procMount = d.str(m, "procMount", path+".procMount")
	if c := d.object(m, "capabilities", path+".capabilities"); c != nil {
		cp := path + ".capabilities"
		caps := &capabilities{path: cp}
		for i, v := range d.list(c, "add", cp+".add") {
			caps.add = append(caps.add, d.strValue(v, fmt.Sprintf("%s.add[%d]", cp, i)))
		}
		for i, v := range d.list(c, "drop", cp+".drop") {
			caps.drop = append(caps.drop, d.strValue(v, fmt.Sprintf("%s.drop[%d]", cp, i)))
		}
		sc.capabilities = caps
	}
	return sc
}

func (d *decoder) container(m map[string]any, path string) container {
	c := container{path: path, name: d.str(m, "name", path+".name").val}
	if sc := d.object(m, "securityContext", path+".securityContext"); sc != nil {
		c.sc = d.securityContext(sc, path+".securityContext", true)
	}
	for i, v := range d.list(m, "ports", path+".ports") {
		pp := fmt.Sprintf("%s.ports[%d]", path, i)
		hp := d.integer(d.element(v, pp), "hostPort", pp+".hostPort", 32)
		if hp.set && hp.val != 0 {
			c.hostPorts = append(c.hostPorts, hp)
		}
	}
	host := func(h map[string]any, hp string) {
		for _, k := range []string{"httpGet", "tcpSocket"} {
			if a := d.object(h, k, hp+"."+k); a != nil {
				f := d.str(a, "host", hp+"."+k+".host")
				if f.val != "" {
					c.hosts = append(c.hosts, f)
				}
			}
		}
	}
	for _, k := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
		if pr := d.object(m, k, path+"."+k); pr != nil {
			host(pr, path+"."+k)
		}
	}
	if lc := d.object(m, "lifecycle", path+".lifecycle"); lc != nil {
		for _, k := range []string{"postStart", "preStop"} {
			if h := d.object(lc, k, path+".lifecycle."+k); h != nil {
				host(h, path+".lifecycle."+k)
			}
		}
	}
	return c
}

// sortTypeErrs orders type errors by field path; they are collected from
// map iteration only for annotations, which come first.
func sortTypeErrs(errs []Violation) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
}

// annotationPath is the field path of an annotation. A key that is not a
// plain printable one (the API server would refuse it anyway) is quoted,
// so that no control character reaches a message.
func annotationPath(k string) string {
	for _, r := range k {
		if r < 0x21 || r > 0x7e || r == '[' || r == ']' {
			return "metadata.annotations[" + strconv.Quote(k) + "]"
		}
	}
	return "metadata.annotations[" + k + "]"
}
