package runner

import (
	"strings"
	"testing"
)

func TestMainUsage(t *testing.T) {
	res := runMain(t, nil)
	res.wantCode(t, ExitUsage)
	if !strings.Contains(res.stderr, "Usage: hookgen run <action>") {
		t.Errorf("no usage on stderr")
	}

	res = runMain(t, nil, "teleport")
	res.wantCode(t, ExitUsage)
	if !strings.Contains(res.stderr, `unknown action "teleport"`) {
		t.Errorf("unknown action not named")
	}

	res = runMain(t, nil, "--help")
	res.wantCode(t, ExitOK)
	for _, a := range []string{"email", "http-check", "slack", "webhook"} {
		if !strings.Contains(res.stdout, "\n  "+a+" ") {
			t.Errorf("help does not list %s:\n%s", a, res.stdout)
		}
	}

	for _, a := range []string{"slack", "webhook", "email", "http-check"} {
		res = runMain(t, nil, a, "--help")
		res.wantCode(t, ExitOK)
		for _, flag := range []string{"--attempts", "--timeout", "--deadline", "--backoff", "--max-backoff", "--best-effort", "--strict"} {
			if !strings.Contains(res.stdout, flag) {
				t.Errorf("%s --help lacks %s", a, flag)
			}
		}
		if res.stderr != "" {
			t.Errorf("%s --help wrote to stderr: %s", a, res.stderr)
		}
	}
}

func TestStrictDefaults(t *testing.T) {
	for name, act := range actions() {
		if want := name == "http-check"; act.strict != want {
			t.Errorf("%s strict by default = %t, want %t", name, act.strict, want)
		}
		p := act.policy
		if err := p.check(); err != nil {
			t.Errorf("%s default policy: %v", name, err)
		}
		// Well inside a hook Job's activeDeadlineSeconds of about 120 s,
		// even when the last attempt starts just before the deadline.
		if p.Deadline+p.Timeout > 90e9 {
			t.Errorf("%s: deadline %s + timeout %s is too close to the Job's deadline", name, p.Deadline, p.Timeout)
		}
	}
}
