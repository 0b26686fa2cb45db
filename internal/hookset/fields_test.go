package hookset

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/hookspec"
)

// TestHookFieldsListed keeps HookFields (templates show, the docs, the
// init scaffold) in step with the Hook type, and docs/hookgen-yaml.md
// naming each.
func TestHookFieldsListed(t *testing.T) {
	var listed []string
	for _, f := range HookFields {
		listed = append(listed, f.Name)
	}
	var declared []string
	for _, f := range hookspec.StructFields(reflect.TypeOf(hookspec.Hook{})) {
		switch f.Name {
		case "name", "uses", "job", "with":
		default:
			declared = append(declared, f.Name)
		}
	}
	for _, name := range declared {
		if !slices.Contains(listed, name) {
			t.Errorf("hook field %s is missing from HookFields", name)
		}
	}
	for _, name := range listed {
		if !slices.Contains(declared, name) {
			t.Errorf("HookFields lists %s, which Hook does not have", name)
		}
	}
	doc, err := os.ReadFile("../../docs/hookgen-yaml.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## Hook fields\n")
	if !ok {
		t.Fatal(`docs/hookgen-yaml.md has no "## Hook fields" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, name := range listed {
		if !strings.Contains(section, "`"+name+"`") {
			t.Errorf("the Hook fields section of docs/hookgen-yaml.md does not name `%s`", name)
		}
	}
}

func TestKubeFieldHint(t *testing.T) {
	for _, tc := range []struct{ field, want string }{
		{"hostAliases", "hostAliases is a pod field: use job: (a raw JobSpec) or a template that sets it"},
		{"imagePullPolicy", "imagePullPolicy: use the hook field imagePullPolicy"},
		{"initContainers", "initContainers: use the hook field initContainers"},
		{"workingDir", "workingDir is a container field: set it through the template's parameters (with:), or use job: (a raw JobSpec) or a template that sets it"},
		{"completions", "completions is a Job field: use job: (a raw JobSpec) or a template that sets it"},
		{"securityContext", "securityContext: hookgen hardens the pod; choose the user and groups, or opt out, under hardening (runAsUser, runAsGroup, fsGroup, runAsNonRoot, ...)"},
		{"volumeMounts", "volumeMounts: for a writable directory use the hook field writablePaths; other volumes go through the template's parameters (with:) or a raw job:"},
		{"serviceAccount", "serviceAccount: use the hook field serviceAccountName"},
		{"deletPolicy", ""},
		{"frobnicate", ""},
	} {
		if got := hookspec.KubeFieldHint(tc.field, hookspec.IsHookField); got != tc.want {
			t.Errorf("kubeFieldHint(%q) = %q, want %q", tc.field, got, tc.want)
		}
	}
	for field, want := range map[string]string{
		"wave":        "wave is set on each hook, not under defaults",
		"hostNetwork": "hostNetwork is a pod field: use job: (a raw JobSpec) or a template that sets it",
		"frobnicate":  "",
	} {
		if got := (*hookspec.Defaults)(nil).UnknownFieldHint(field); got != want {
			t.Errorf("defaults: unknownFieldHint(%q) = %q, want %q", field, got, want)
		}
	}
}

func TestCheckWritablePaths(t *testing.T) {
	many := make([]string, MaxWritablePaths+1)
	for i := range many {
		many[i] = "/data/" + strings.Repeat("d", i+1)
	}
	for _, tc := range []struct {
		name  string
		paths []string
		want  []string
	}{
		{"fine", []string{"/var/log/app", "/home/app/.cache", "/var/log"}, nil},
		{"relative", []string{"var/log"}, []string{`writablePaths: "var/log" must be an absolute path`}},
		{"root", []string{"/"}, []string{"writablePaths: / would make the whole root writable: name the directories the app writes, or set hardening.readOnlyRootFilesystem: false"}},
		{"unclean", []string{"/var/log/", "/a//b", "/a/./b"}, []string{
			`writablePaths: "/var/log/" is not a clean path: write "/var/log"`,
			`writablePaths: "/a//b" is not a clean path: write "/a/b"`,
			`writablePaths: "/a/./b" is not a clean path: write "/a/b"`,
		}},
		{"tmp", []string{"/tmp"}, []string{"writablePaths: /tmp is always writable; remove it"}},
		{"colon", []string{"/a:b"}, []string{`writablePaths: "/a:b" may not hold ':', '$' or a newline`}},
		{"twice", []string{"/x", "/y", "/x"}, []string{"writablePaths: /x is listed twice"}},
		{"too many", many, []string{"writablePaths: at most 16 paths, found 17"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			checkWritablePaths(tc.paths, func(_ int, format string, args ...any) {
				got = append(got, fmt.Sprintf(format, args...))
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
