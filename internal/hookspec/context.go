package hookspec

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// App is what Argo CD tells a plugin about the Application (ARGOCD_APP_*).
// Fields Argo CD did not send are empty.
type App struct {
	Name           string // ARGOCD_APP_NAME
	Namespace      string // ARGOCD_APP_NAMESPACE: the destination namespace
	Project        string // ARGOCD_APP_PROJECT_NAME (Argo CD 3.0+)
	Revision       string // ARGOCD_APP_REVISION
	RevisionShort  string // ARGOCD_APP_REVISION_SHORT, or the first 7 characters of Revision
	RepoURL        string // ARGOCD_APP_SOURCE_REPO_URL
	Path           string // ARGOCD_APP_SOURCE_PATH
	TargetRevision string // ARGOCD_APP_SOURCE_TARGET_REVISION
	KubeVersion    string // KUBE_VERSION: the cluster version, no leading v (Argo CD 2.14 sends Major.Minor, 3.3 Major.Minor.Patch)
}

// Context is everything outside the repository that shapes the output.
type Context struct {
	App App
	// Env holds the Application's plugin env: ARGOCD_ENV_X arrives as Env["X"].
	Env map[string]string
	// RunnerImage is the image of Jobs that run "hookgen run": $(runner.image).
	RunnerImage string
	// ArgoCDURL is Argo CD's base URL, for links in messages (optional).
	ArgoCDURL string
	// ArgoCD is the Argo CD release the sidecar serves (zero: unknown).
	ArgoCD ArgoCDVersion
}

// AppKeys lists the app.* placeholders and how to read them.
var AppKeys = map[string]func(App) string{
	"name":           func(a App) string { return a.Name },
	"namespace":      func(a App) string { return a.Namespace },
	"project":        func(a App) string { return a.Project },
	"revision":       func(a App) string { return a.Revision },
	"revisionShort":  func(a App) string { return a.RevisionShort },
	"repoURL":        func(a App) string { return a.RepoURL },
	"path":           func(a App) string { return a.Path },
	"targetRevision": func(a App) string { return a.TargetRevision },
	"kubeVersion":    func(a App) string { return a.KubeVersion },
}

// HookKeys lists the hook.* placeholders.
var HookKeys = []string{"name", "phase", "outcome"}

// PlaceholderKeys lists every placeholder hookgen knows, for docs and
// completion: app.*, hook.*, runner.image; env.X and params.X are open.
func PlaceholderKeys() []string {
	var out []string
	for k := range AppKeys {
		out = append(out, "app."+k)
	}
	for _, k := range HookKeys {
		out = append(out, "hook."+k)
	}
	out = append(out, "runner.image")
	sort.Strings(out)
	return out
}

// ArgoCDVersion is the Argo CD release the sidecar serves, from its
// HOOKGEN_ARGOCD_VERSION setting. The zero value means unknown, and
// hookgen then steers clear of what only newer releases handle.
type ArgoCDVersion struct{ Major, Minor int }

// ParseArgoCDVersion reads "3.3", "v2.14.21" or "3.3.10+abc": the major
// and minor numbers count.
func ParseArgoCDVersion(s string) (ArgoCDVersion, error) {
	t := strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(t, "+-"); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return ArgoCDVersion{}, fmt.Errorf("%q is not an Argo CD version such as 3.3 or v2.14.21", s)
	}
	var nums [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || (len(p) > 1 && p[0] == '0') {
			return ArgoCDVersion{}, fmt.Errorf("%q is not an Argo CD version such as 3.3 or v2.14.21", s)
		}
		nums[i] = n
	}
	if nums[0] < 2 {
		return ArgoCDVersion{}, fmt.Errorf("%q: hookgen needs Argo CD 2.x or newer", s)
	}
	return ArgoCDVersion{Major: nums[0], Minor: nums[1]}, nil
}

// AtLeast reports whether the version is known to be major.minor or newer.
func (v ArgoCDVersion) AtLeast(major, minor int) bool {
	return v.Major > major || v.Major == major && v.Minor >= minor
}

func (v ArgoCDVersion) String() string {
	if v == (ArgoCDVersion{}) {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}
