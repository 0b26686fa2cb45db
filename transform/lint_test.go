package transform

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/hookspec"
)

var lintCtx = hookspec.Context{App: hookspec.App{Name: "app", Namespace: "app"}, RunnerImage: "ghcr.io/hookgen/hookgen:v1"}

func TestLintConfigClean(t *testing.T) {
	sum, err := LintConfig(os.DirFS("../testdata/platform-compliant/config"), lintCtx)
	if err != nil {
		t.Fatalf("a compliant config has problems:\n%v", err)
	}
	if sum.Policy != "config:policy.yaml" || !slices.Equal(sum.Templates, []string{"db-migrate", "incident", "smoke"}) || !slices.Equal(sum.Injected, []string{"incident"}) {
		t.Errorf("summary %+v", sum)
	}
	if _, err := LintConfig(nil, lintCtx); err != nil {
		t.Errorf("no config directory: %v", err)
	}
}

func TestLintConfigProblems(t *testing.T) {
	_, err := LintConfig(os.DirFS("../testdata/cli/fixtures/platform-lint"), lintCtx)
	if err == nil {
		t.Fatal("no problems")
	}
	got := err.Error()
	for _, want := range []string{
		`config:policy.yaml:6: policy templates.allow: no template is named "smok"`,
		`config:policy.yaml:18: hook "audit": policy bounds.maxActiveDeadlineSeconds: activeDeadlineSeconds 1200`,
		`config:templates/backup.yaml:7: template "backup" (a PreDelete hook with stand-in parameters): policy bounds.maxActiveDeadlineSeconds`,
		`config:templates/backup.yaml:7: template "backup" (a PreDelete hook with stand-in parameters): policy bounds.maxBackoffLimit`,
		`config:templates/backup.yaml:15: template "backup" (a PreDelete hook with stand-in parameters): policy images.allow`,
		`config:templates/broken.yaml:5: unknown field "descripton"`,
		`config:templates/orphan.yaml:1: template "orphan": the policy's templates.allow leaves it out`,
		`config:templates/report.yaml:11: template "report" (a PreSync hook with stand-in parameters): policy pods.allowHostNamespaces`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	// The stand-ins and the rules a hook satisfies itself are no problems.
	for _, not := range []string{`"notify"`, "(stand-in)", `template "report" (a PreSync hook with stand-in parameters): policy bounds.requireResources`} {
		if strings.Contains(got, not) {
			t.Errorf("problems mention %s:\n%s", not, got)
		}
	}
}
