package argocd

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/transform"
)

// announce is what an app with one templated hook, "migrate", announces.
func announce() ([]transform.Announcement, error) {
	return []transform.Announcement{{Name: transform.ParamHookPrefix + "migrate", Map: map[string]string{"db-url": "", "timeout": ""}}}, nil
}

func TestReadOverrides(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  Env
		want transform.Overrides
	}{
		{"nothing", Env{}, transform.Overrides{}},
		{"no plugin section", Env{EnvAppParameters: "null"}, transform.Overrides{}},
		{"json", Env{EnvAppParameters: `[{"name":"disable","array":["smoke"]},{"name":"enable","string":"a, b"},{"name":"hook.migrate","map":{"timeout":"5m"}}]`},
			transform.Overrides{Disable: []string{"smoke"}, Enable: []string{"a", "b"}, With: map[string]map[string]string{"migrate": {"timeout": "5m"}}}},
		{"json wins over PARAM_", Env{EnvAppParameters: `[{"name":"disable","array":["smoke"]}]`, "PARAM_DISABLE": "other"},
			transform.Overrides{Disable: []string{"smoke"}}},
		{"PARAM_ array", Env{"PARAM_DISABLE_0": "smoke", "PARAM_DISABLE_1": "notify"}, transform.Overrides{Disable: []string{"smoke", "notify"}}},
		{"PARAM_ list and map", Env{"PARAM_ENABLE": "x,y", "PARAM_HOOK_MIGRATE_DB_URL": "postgres://db"},
			transform.Overrides{Enable: []string{"x", "y"}, With: map[string]map[string]string{"migrate": {"db-url": "postgres://db"}}}},
		{"plugin env, then sidecar", Env{EnvUserPrefix + "DISABLE": "smoke", "HOOKGEN_DISABLE": "x", "HOOKGEN_ENABLE": "y"},
			transform.Overrides{Disable: []string{"smoke"}, Enable: []string{"y"}}},
		{"an empty parameter wins", Env{EnvAppParameters: `[{"name":"disable","array":[]}]`, "HOOKGEN_DISABLE": "x"},
			transform.Overrides{Disable: []string{}}},
	} {
		got, err := ReadOverrides(tc.env, announce)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestReadOverridesErrors(t *testing.T) {
	for env, want := range map[string]string{
		`{"name":"disable"}`:                       "ARGOCD_APP_PARAMETERS is not the JSON list Argo CD sends",
		`[{"name":"color","string":"red"}]`:        `unknown parameter "color": hookgen takes disable, enable and hook.<hook name>`,
		`[{"name":"hook.migrate","string":"5m"}]`:  "parameter hook.migrate must be a map of the hook's template parameters",
		`[{"name":"hook.migrate","array":["5m"]}]`: "parameter hook.migrate must be a map of the hook's template parameters",
	} {
		_, err := ReadOverrides(Env{EnvAppParameters: env}, announce)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", env, err, want)
		}
	}
}
