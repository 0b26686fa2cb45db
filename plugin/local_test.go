package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/argocd"
	"github.com/hookgen/hookgen/transform"
)

// localArgs turns a golden case's Argo CD environment into the flags of
// the local commands: what a person would type to preview the case.
// The error is generate's, for a case whose parameters are refused
// before anything else is read.
func localArgs(t *testing.T, c goldenCase) ([]string, error) {
	t.Helper()
	args := []string{"--repo-root", filepath.Join(c.Dir, "repo")}
	for env, flag := range map[string]string{
		"ARGOCD_APP_NAME":                   "--app-name",
		"ARGOCD_APP_NAMESPACE":              "--namespace",
		"ARGOCD_APP_PROJECT_NAME":           "--project",
		"ARGOCD_APP_REVISION":               "--revision",
		"ARGOCD_APP_SOURCE_REPO_URL":        "--repo-url",
		"ARGOCD_APP_SOURCE_TARGET_REVISION": "--target-revision",
		"KUBE_VERSION":                      "--kube-version",
	} {
		// Absent is empty: what Argo CD 2.x sends for no project.
		args = append(args, flag, c.env[env])
	}
	if cfg := c.env["HOOKGEN_CONFIG_DIR"]; cfg != "" {
		args = append(args, "--config-dir", cfg)
	}
	for k, v := range c.env {
		if name, ok := strings.CutPrefix(k, "ARGOCD_ENV_"); ok {
			args = append(args, "--env", name+"="+v)
		}
	}
	// The Application's parameters, read the way generate reads them.
	env := NewEnv(c.environ(false))
	in, _, closeAll, err := buildInput(c.appDir(), "", env)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	ov, err := argocd.ReadOverrides(env, func() ([]transform.Announcement, error) { return transform.Announce(in) })
	if err != nil {
		return nil, err
	}
	for _, name := range ov.Disable {
		args = append(args, "--param", "disable="+name)
	}
	for _, name := range ov.Enable {
		args = append(args, "--param", "enable="+name)
	}
	for hook, with := range ov.With {
		for k, v := range with {
			args = append(args, "--param", "hook."+hook+"."+k+"="+v)
		}
	}
	return append(args, c.appDir()), nil
}

// hookgenEnv is the case's environment that the local commands read:
// hookgen's own settings (the config directory goes by flag).
func hookgenEnv(c goldenCase) []string {
	var out []string
	for k, v := range c.env {
		if strings.HasPrefix(k, "HOOKGEN_") && k != "HOOKGEN_CONFIG_DIR" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// TestRenderMatchesGenerate renders every golden case that succeeds with
// the flags a person would type and checks the bytes are exactly what
// generate prints for Argo CD.
func TestRenderMatchesGenerate(t *testing.T) {
	n := 0
	for _, c := range goldenCases(t) {
		want, err := os.ReadFile(filepath.Join(c.Dir, "expected.yaml"))
		if err != nil {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			largs, err := localArgs(t, c)
			if err != nil {
				t.Fatal(err)
			}
			args := append([]string{"render", "--color", "never"}, largs...)
			environ := hookgenEnv(c)
			var stdout, stderr bytes.Buffer
			if code := Main(args, environ, &stdout, &stderr); code != ExitOK {
				t.Fatalf("hookgen %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
			}
			if !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("render differs from generate's expected.yaml:\n%s", diff(string(want), stdout.String()))
			}
			// --hooks-only prints the Jobs: the tail of the same stream.
			stdout.Reset()
			if code := Main(append([]string{"render", "--hooks-only"}, args[1:]...), environ, &stdout, &stderr); code != ExitOK {
				t.Fatalf("--hooks-only: exit %d\n%s", code, stderr.String())
			}
			if !bytes.HasSuffix(want, stdout.Bytes()) {
				t.Errorf("--hooks-only is not the tail of the full output")
			}
			if stdout.Len() > 0 && !bytes.HasPrefix(stdout.Bytes(), []byte("apiVersion: batch/v1\nkind: Job\n")) {
				t.Errorf("--hooks-only starts with something other than a Job:\n%.200s", stdout.String())
			}
		})
	}
	if n == 0 {
		t.Fatal("no golden case succeeds")
	}
}

// TestValidateMatchesGenerate checks that validate finds what generate
// finds: the same problems on every failing case (with columns, paths
// from the working directory), and ok on every case that succeeds.
func TestValidateMatchesGenerate(t *testing.T) {
	col := regexp.MustCompile(`^([^:]+:\d+):\d+: `)
	for _, c := range goldenCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			largs, perr := localArgs(t, c)
			environ := hookgenEnv(c)
			var stdout, stderr bytes.Buffer
			if perr != nil {
				// A parameter hookgen does not take: a bad --param is a bad
				// command line.
				name, _, _ := strings.Cut(strings.TrimPrefix(perr.Error(), "unknown parameter \""), "\"")
				code := Main([]string{"validate", "--param", name + "=x", c.appDir()}, environ, &stdout, &stderr)
				if code != ExitUsage || !strings.Contains(stderr.String(), perr.Error()) {
					t.Errorf("--param %s=x: exit %d, stderr %q; want exit 2 and %q", name, code, stderr.String(), perr.Error())
				}
				return
			}
			args := append([]string{"validate"}, largs...)
			code := Main(args, environ, &stdout, &stderr)
			want, err := os.ReadFile(filepath.Join(c.Dir, "errors.txt"))
			if err != nil {
				if code != ExitOK || !strings.HasPrefix(stdout.String(), "ok: ") {
					t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout.String(), stderr.String())
				}
				return
			}
			if code != ExitProblems || stdout.Len() != 0 {
				t.Fatalf("exit %d, stdout %q", code, stdout.String())
			}
			// Take the column off and the paths back to the repository's.
			cwd, _ := os.Getwd()
			absRepo, _ := filepath.Abs(filepath.Join(c.Dir, "repo"))
			repo, _ := filepath.Rel(cwd, absRepo)
			cfg := ""
			if dir := c.env["HOOKGEN_CONFIG_DIR"]; dir != "" {
				cfg, _ = filepath.Rel(cwd, dir)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n") {
				line = col.ReplaceAllString(line, "$1: ")
				if cfg != "" && strings.HasPrefix(line, filepath.ToSlash(cfg)+"/") {
					line = "config:" + strings.TrimPrefix(line, filepath.ToSlash(cfg)+"/")
				}
				line = strings.TrimPrefix(line, filepath.ToSlash(repo)+"/")
				got = append(got, line)
			}
			wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
			if !reflect.DeepEqual(got, wantLines) {
				t.Errorf("validate's problems differ from generate's:\n--- validate\n%s\n--- generate\n%s", strings.Join(got, "\n"), want)
			}
		})
	}
}

func TestFindRepoRoot(t *testing.T) {
	tmp := t.TempDir()
	mk := func(p string) string {
		p = filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := mk("plain/apps/api")
	if got := findRepoRoot(plain); got != plain {
		t.Errorf("outside a repository the directory is its own root; got %s", got)
	}
	mk("repo/.git")
	api := mk("repo/apps/api")
	if got, want := findRepoRoot(api), filepath.Join(tmp, "repo"); got != want {
		t.Errorf("findRepoRoot = %s, want %s", got, want)
	}
	// A worktree or submodule has a .git file.
	mk("wt/apps")
	if err := os.WriteFile(filepath.Join(tmp, "wt/.git"), []byte("gitdir: /elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := findRepoRoot(filepath.Join(tmp, "wt/apps")), filepath.Join(tmp, "wt"); got != want {
		t.Errorf("findRepoRoot = %s, want %s", got, want)
	}
}

func TestStandInName(t *testing.T) {
	for in, want := range map[string]string{
		"/x/api":                        "api",
		"/x/My_App":                     "my-app",
		"/x/--a..b--":                   "a-b",
		"/x/___":                        "app",
		"/":                             "app",
		"/x/" + strings.Repeat("a", 70): strings.Repeat("a", 63),
	} {
		if got := standInName(in); got != want {
			t.Errorf("standInName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParamFlags(t *testing.T) {
	l := localFlags{params: []string{"disable=smoke,notify", "enable=seed", "hook.migrate.image=x:1", "hook.migrate.command=[a, b]", "hook.smoke.url=http://x/?a=b"}}
	ov, err := l.overrides()
	if err != nil {
		t.Fatal(err)
	}
	want := transform.Overrides{
		Disable: []string{"smoke", "notify"},
		Enable:  []string{"seed"},
		With:    map[string]map[string]string{"migrate": {"image": "x:1", "command": "[a, b]"}, "smoke": {"url": "http://x/?a=b"}},
	}
	if !reflect.DeepEqual(ov, want) {
		t.Errorf("overrides = %+v, want %+v", ov, want)
	}
	for bad, want := range map[string]string{
		"novalue":        `--param "novalue": want name=value`,
		"=x":             `--param "=x": want name=value`,
		"hook.migrate=x": `--param "hook.migrate=x": a hook's parameter is hook.<hook>.<param>=value`,
		"hook..x=1":      `--param "hook..x=1": a hook's parameter is hook.<hook>.<param>=value`,
		"image.tag=v2":   `--param "image.tag=v2": unknown parameter "image.tag": hookgen takes disable, enable and hook.<hook name>`,
	} {
		if _, err := (&localFlags{params: []string{bad}}).overrides(); err == nil || err.Error() != want {
			t.Errorf("--param %q: %v; want %q", bad, err, want)
		}
	}
}

func TestColorYAML(t *testing.T) {
	in := "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    argocd.argoproj.io/hook: PreSync\ndata:\n  script: |\n    key: not a key\n    # not a comment\n  quoted: \"yes\"\n  list:\n  - a: b\n  - - c\n---\nkind: Job\n"
	out := colorYAML([]byte(in))
	plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAll(out, nil)
	if string(plain) != in {
		t.Errorf("without escape codes the output differs:\n%s", plain)
	}
	for _, want := range []string{ansiDim + "# a comment", ansiKey + "apiVersion" + ansiReset, ansiHook + "argocd.argoproj.io/hook", "    key: not a key\n", "    # not a comment\n", ansiString + `"yes"`, "- " + ansiKey + "a" + ansiReset, ansiBold + "---"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q:\n%q", want, out)
		}
	}
}

func TestUseColor(t *testing.T) {
	var buf bytes.Buffer
	for _, tc := range []struct {
		mode string
		env  Env
		want bool
	}{
		{"always", nil, true},
		{"never", nil, false},
		{"auto", nil, false}, // a buffer is no terminal
		{"auto", Env{"NO_COLOR": ""}, false},
	} {
		got, err := useColor(tc.mode, &buf, tc.env)
		if err != nil || got != tc.want {
			t.Errorf("useColor(%q, %v) = %v, %v", tc.mode, tc.env, got, err)
		}
	}
	if _, err := useColor("sometimes", &buf, nil); err == nil || err.Error() != `--color "sometimes": want auto, always or never` {
		t.Errorf("--color sometimes: %v; want the modes it takes", err)
	}
}
