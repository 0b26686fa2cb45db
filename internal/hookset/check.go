package hookset

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/lazyre"
)

// syncOptionValues lists the per-resource sync options Argo CD reads
// (gitops-engine pkg/sync/common SyncOption*) and the values each takes.
var syncOptionValues = map[string][]string{
	"Replace":                     {"true", "false"},
	"Force":                       {"true", "false"},
	"ServerSideApply":             {"true", "false"},
	"Validate":                    {"true", "false"},
	"SkipDryRunOnMissingResource": {"true", "false"},
	"Prune":                       {"true", "false", "confirm"},
	"Delete":                      {"true", "false", "confirm"},
	"PruneLast":                   {"true", "false"},
	"ApplyOutOfSyncOnly":          {"true", "false"},
	"ClientSideApplyMigration":    {"true", "false"},
}

// CheckSyncOptions checks argocd.argoproj.io/sync-options entries: each
// Key=value, a key Argo CD knows with a value it takes, each key once.
// example is a valid entry for the message.
func CheckSyncOptions(opts []string, example string, fail func(format string, args ...any)) {
	seen := map[string]bool{}
	for _, o := range opts {
		key, val, ok := strings.Cut(o, "=")
		vals, isKey := syncOptionValues[key]
		switch {
		case !ok:
			fail("sync option %q must be Key=value, such as %s", o, example)
		case !isKey:
			// Sorted: of two names as close to key, the same one is suggested every run.
			fail("unknown sync option %q%s", key, hookspec.Suggest(key, slices.Sorted(maps.Keys(syncOptionValues))))
		case !slices.Contains(vals, val):
			fail("sync option %s takes %s, not %q", key, strings.Join(vals, " or "), val)
		case seen[key]:
			fail("sync option %s is set twice", key)
		}
		seen[key] = true
	}
}

var labelValueRE = lazyre.New(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)

// CheckLabel checks a label key and value; "" means fine.
func CheckLabel(key, value string) string {
	if msg := CheckQualifiedName(key); msg != "" {
		return fmt.Sprintf("key %q %s", key, msg)
	}
	if len(value) > 63 || !labelValueRE.MatchString(value) {
		return fmt.Sprintf("value of %q must be at most 63 characters of letters, digits, '-', '_' and '.', beginning and ending with a letter or digit", key)
	}
	return ""
}

// CheckQualifiedName checks a label or annotation key ([prefix/]name).
func CheckQualifiedName(key string) string {
	name := key
	if prefix, rest, ok := strings.Cut(key, "/"); ok {
		if !IsDNSSubdomain(prefix) {
			return "has a prefix that is not a DNS subdomain"
		}
		name = rest
	}
	if name == "" || len(name) > 63 || !labelValueRE.MatchString(name) {
		return "is not a valid qualified name"
	}
	return ""
}
