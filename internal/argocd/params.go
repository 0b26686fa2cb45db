package argocd

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hookgen/hookgen/transform"
)

// Argo CD hands an Application's plugin parameters to the plugin twice:
// as JSON in ARGOCD_APP_PARAMETERS (absent when the Application has no
// plugin section, the literal "null" when it has no parameters) and as
// PARAM_<ESC(name)>[_<i> | _<ESC(key)>] variables, where ESC uppercases
// and turns every character outside [A-Z0-9_] into '_'
// (v1alpha1.ApplicationSourcePluginParameters.Environ). hookgen reads the
// JSON, which keeps names exact, and falls back to PARAM_* without it.

// EnvAppParameters holds the Application's parameters as JSON.
const EnvAppParameters = "ARGOCD_APP_PARAMETERS"

// Parameter mirrors Argo CD's ApplicationSourcePluginParameter.
type Parameter struct {
	Name   string            `json:"name"`
	String *string           `json:"string,omitempty"`
	Array  *[]string         `json:"array,omitempty"`
	Map    map[string]string `json:"map,omitempty"`
}

// escapeParam is Argo CD's ESC.
func escapeParam(s string) string {
	b := []byte(strings.ToUpper(s))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// ReadOverrides reads the Application's parameters. announce lists the
// per-hook parameters the app announces, to decode PARAM_* variables.
//
// The list settings (disable, enable) resolve as every hookgen setting
// does: the parameter (ARGOCD_APP_PARAMETERS, else PARAM_X), else the
// Application's plugin env ARGOCD_ENV_X, else the sidecar's HOOKGEN_X,
// else nothing; X is the escaped name (DISABLE) and the env values are
// comma-separated.
func ReadOverrides(env Env, announce func() ([]transform.Announcement, error)) (transform.Overrides, error) {
	ov, err := readParameters(env, announce)
	if err != nil {
		return ov, err
	}
	for _, s := range []struct {
		name string
		list *[]string
	}{{transform.ParamDisable, &ov.Disable}, {transform.ParamEnable, &ov.Enable}} {
		if *s.list != nil {
			continue
		}
		esc := escapeParam(s.name)
		for _, key := range []string{EnvUserPrefix + esc, "HOOKGEN_" + esc} {
			if v, ok := env[key]; ok {
				*s.list = splitList(v)
				break
			}
		}
	}
	return ov, nil
}

// readParameters reads what Argo CD sends as the Application's parameters.
func readParameters(env Env, announce func() ([]transform.Announcement, error)) (transform.Overrides, error) {
	var ov transform.Overrides
	raw, ok := env[EnvAppParameters]
	raw = strings.TrimSpace(raw)
	if ok && raw != "" && raw != "null" {
		var params []Parameter
		if err := json.Unmarshal([]byte(raw), &params); err != nil {
			return ov, fmt.Errorf("%s is not the JSON list Argo CD sends: %w", EnvAppParameters, err)
		}
		for _, p := range params {
			if err := AddParameter(&ov, p); err != nil {
				return ov, err
			}
		}
		return ov, nil
	}
	// No JSON: PARAM_* variables, if any.
	if !hasParamEnv(env) {
		return ov, nil
	}
	for _, name := range []string{transform.ParamDisable, transform.ParamEnable} {
		if list, ok := paramArray(env, escapeParam(name)); ok {
			AddParameter(&ov, Parameter{Name: name, Array: &list})
		}
	}
	anns, err := announce()
	if err != nil {
		return ov, err
	}
	for _, a := range anns {
		prefix := "PARAM_" + escapeParam(a.Name) + "_"
		m := map[string]string{}
		for key := range a.Map {
			if v, ok := env[prefix+escapeParam(key)]; ok {
				m[key] = v
			}
		}
		if len(m) > 0 {
			if err := AddParameter(&ov, Parameter{Name: a.Name, Map: m}); err != nil {
				return ov, err
			}
		}
	}
	return ov, nil
}

func hasParamEnv(env Env) bool {
	for k := range env {
		if strings.HasPrefix(k, "PARAM_") {
			return true
		}
	}
	return false
}

// paramArray reads PARAM_X_0, PARAM_X_1, ... or a comma-separated PARAM_X.
func paramArray(env Env, esc string) ([]string, bool) {
	var list []string
	for i := 0; ; i++ {
		v, ok := env["PARAM_"+esc+"_"+strconv.Itoa(i)]
		if !ok {
			break
		}
		list = append(list, v)
	}
	if len(list) > 0 {
		return list, true
	}
	if v, ok := env["PARAM_"+esc]; ok {
		return splitList(v), true
	}
	return nil, false
}

// splitList splits "a, b,c" into names.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// AddParameter takes one Application parameter into ov.
func AddParameter(ov *transform.Overrides, p Parameter) error {
	switch {
	case p.Name == transform.ParamDisable || p.Name == transform.ParamEnable:
		var names []string
		if p.Array != nil {
			names = append(names, *p.Array...)
		}
		if p.String != nil {
			names = append(names, splitList(*p.String)...)
		}
		// Set, even to nothing: the parameter wins over the env fallbacks.
		list := &ov.Enable
		if p.Name == transform.ParamDisable {
			list = &ov.Disable
		}
		*list = append(append([]string{}, *list...), names...)
	case strings.HasPrefix(p.Name, transform.ParamHookPrefix):
		hook := strings.TrimPrefix(p.Name, transform.ParamHookPrefix)
		if p.String != nil || p.Array != nil {
			return fmt.Errorf("parameter %s must be a map of the hook's template parameters", p.Name)
		}
		if ov.With == nil {
			ov.With = map[string]map[string]string{}
		}
		if ov.With[hook] == nil {
			ov.With[hook] = map[string]string{}
		}
		for k, v := range p.Map {
			ov.With[hook][k] = v
		}
	default:
		return fmt.Errorf("unknown parameter %q: hookgen takes %s, %s and %s<hook name>", p.Name, transform.ParamDisable, transform.ParamEnable, transform.ParamHookPrefix)
	}
	return nil
}
