package runner

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hookgen/hookgen/internal/runnerenv"
)

// TestContextReadsTheContract: every variable of the runner contract a Job
// sets reaches the message context, and the context holds nothing else
// from the environment. A name changed on one side only fails here or in
// transform's TestRunnerEnvContract.
func TestContextReadsTheContract(t *testing.T) {
	env := map[string]string{}
	for _, n := range runnerenv.Names {
		env[n] = "value-of-" + n
	}
	env[runnerenv.ArgoCDURL] = "https://argocd.example.com/" + runnerenv.ArgoCDURL
	env["HOOKGEN_SOMETHING_ELSE"] = "not-in-the-contract"
	r := &run{env: env}
	url, err := r.argocdURL("")
	if err != nil {
		t.Fatal(err)
	}
	c := newContext(env, time.Unix(0, 0), url)
	var got []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.String:
			got = append(got, v.String())
		}
	}
	walk(reflect.ValueOf(c))
	for _, n := range runnerenv.Names {
		if !slices.Contains(got, env[n]) {
			t.Errorf("%s does not reach the message context: %+v", n, c)
		}
	}
	if slices.Contains(got, "not-in-the-contract") {
		t.Errorf("the context reads a variable outside the contract: %+v", c)
	}
}
