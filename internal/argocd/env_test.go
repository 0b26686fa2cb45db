package argocd

import (
	"strings"
	"testing"
)

func TestContext(t *testing.T) {
	env := NewEnv([]string{
		"ARGOCD_APP_NAME=argocd_shop", // apps in any namespace: <ns>_<name>
		"ARGOCD_APP_REVISION=0123456789abcdef",
		"ARGOCD_ENV_TEAM=checkout",
		"ARGOCD_ENV_EMPTY=",     // Argo CD 3 passes empty values
		"ARGOCD_ENV_=ignored",   // no name
		"ARGOCD_ENV_A=b=c",      // values may hold '='
		"NOT_AN_ENTRY",          // ignored
		"HOOKGEN_RUNNER_IMAGE=", // empty: the default
		"ARGOCD_APP_NAME=shop",  // the last entry wins, as with exec
	})
	ctx := Context(env, "v1.2.3")
	if ctx.App.Name != "shop" || ctx.App.RevisionShort != "0123456" || ctx.App.Revision != "0123456789abcdef" {
		t.Errorf("app context: %+v", ctx.App)
	}
	if len(ctx.Env) != 3 || ctx.Env["TEAM"] != "checkout" || ctx.Env["A"] != "b=c" {
		t.Errorf("plugin env: %v", ctx.Env)
	}
	if v, ok := ctx.Env["EMPTY"]; !ok || v != "" {
		t.Errorf("an empty ARGOCD_ENV_ value must be kept as empty")
	}
	if ctx.RunnerImage != RunnerImageRepo+":v1.2.3" {
		t.Errorf("runner image %q", ctx.RunnerImage)
	}
	if got := Context(NewEnv([]string{"ARGOCD_APP_REVISION_SHORT=abcdefg", "ARGOCD_APP_REVISION=0123456789"}), "v1.2.3").App.RevisionShort; got != "abcdefg" {
		t.Errorf("ARGOCD_APP_REVISION_SHORT must win, got %q", got)
	}
}

func TestGenerateSlots(t *testing.T) {
	for v, want := range map[string]int{"": 3, "2": 2, "0": 0, "-1": 3, "many": 3} {
		env := Env{EnvGenerateSlots: v}
		if v == "" {
			env = Env{}
		}
		if got := GenerateSlots(env); got != want {
			t.Errorf("%s=%q: %d slots, want %d", EnvGenerateSlots, v, got, want)
		}
	}
}

func TestRunnerImage(t *testing.T) {
	if got := RunnerImage(Env{EnvRunnerImage: "registry.example/hookgen:v9"}, "v1.2.3"); got != "registry.example/hookgen:v9" {
		t.Errorf("the sidecar's image must win, got %q", got)
	}
	if got := RunnerImage(Env{}, "v1.2.3"); got != "ghcr.io/hookgen/hookgen:v1.2.3" {
		t.Errorf("default image %q", got)
	}
}

func TestCheckArgoCDVersion(t *testing.T) {
	for _, ok := range []string{"", "v2.14.3", "3.1.0"} {
		if err := CheckArgoCDVersion(Env{EnvArgoCDVersion: ok}); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	err := CheckArgoCDVersion(Env{EnvArgoCDVersion: "latest"})
	if err == nil || !strings.HasPrefix(err.Error(), EnvArgoCDVersion+": ") {
		t.Errorf("an unreadable version: %v; want an error naming %s", err, EnvArgoCDVersion)
	}
}
