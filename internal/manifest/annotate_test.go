package manifest

import (
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/subst"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestConvertHelmHooks checks Argo CD's Helm hook mapping, one resource
// at a time: the annotations after conversion and the notes.
func TestConvertHelmHooks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      map[string]string
		want    map[string]string // nil: unchanged
		note    string
		changed bool
	}{
		{
			name:    "pre-install and pre-upgrade are one PreSync",
			in:      map[string]string{"helm.sh/hook": "pre-install, pre-upgrade"},
			want:    map[string]string{"argocd.argoproj.io/hook": "PreSync"},
			changed: true,
		},
		{
			name:    "every mapped type",
			in:      map[string]string{"helm.sh/hook": "post-install,post-upgrade,pre-delete,post-delete"},
			want:    map[string]string{"argocd.argoproj.io/hook": "PostSync,PreDelete,PostDelete"},
			changed: true,
		},
		{
			name: "weight and delete policies",
			in: map[string]string{
				"helm.sh/hook": "pre-install", "helm.sh/hook-weight": " -3 ",
				"helm.sh/hook-delete-policy": "hook-failed,before-hook-creation,hook-succeeded",
			},
			want: map[string]string{
				"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/sync-wave": "-3",
				"argocd.argoproj.io/hook-delete-policy": "HookFailed,BeforeHookCreation,HookSucceeded",
			},
			changed: true,
		},
		{
			name: "an existing wave wins, Argo CD policies are kept and Helm's added",
			in: map[string]string{
				"helm.sh/hook": "post-install", "helm.sh/hook-weight": "4", "argocd.argoproj.io/sync-wave": "9",
				"argocd.argoproj.io/hook-delete-policy": "HookFailed", "helm.sh/hook-delete-policy": "hook-failed,hook-succeeded",
			},
			want: map[string]string{
				"argocd.argoproj.io/hook": "PostSync", "argocd.argoproj.io/sync-wave": "9",
				"argocd.argoproj.io/hook-delete-policy": "HookFailed,HookSucceeded",
			},
			changed: true,
		},
		{
			name:    "crd-install is not a hook; the weight still orders it",
			in:      map[string]string{"helm.sh/hook": "crd-install", "helm.sh/hook-weight": "-1", "other": "x"},
			want:    map[string]string{"argocd.argoproj.io/sync-wave": "-1", "other": "x"},
			changed: true,
		},
		{
			name: "test and rollback hooks are left alone",
			in:   map[string]string{"helm.sh/hook": "test-success"},
			note: `Helm hook "test-success" has no Argo CD equivalent`,
		},
		{
			name: "rollback",
			in:   map[string]string{"helm.sh/hook": "pre-rollback,post-rollback"},
			note: `Helm hook "pre-rollback,post-rollback" has no Argo CD equivalent`,
		},
		{
			name:    "mixed: the others are converted",
			in:      map[string]string{"helm.sh/hook": "post-install,test"},
			want:    map[string]string{"argocd.argoproj.io/hook": "PostSync"},
			note:    "Helm hook types test have no Argo CD equivalent; converted the others",
			changed: true,
		},
		{
			name:    "bad weight and policy",
			in:      map[string]string{"helm.sh/hook": "pre-install", "helm.sh/hook-weight": "high", "helm.sh/hook-delete-policy": "never"},
			want:    map[string]string{"argocd.argoproj.io/hook": "PreSync"},
			note:    `helm.sh/hook-delete-policy "never" is not a Helm delete policy; dropped`,
			changed: true,
		},
		{
			name: "an Argo CD hook makes Argo CD ignore Helm's",
			in:   map[string]string{"helm.sh/hook": "pre-install", "argocd.argoproj.io/hook": "Sync"},
		},
		{
			name: "no Helm hook",
			in:   map[string]string{"helm.sh/hook-weight": "3"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ann := yamlio.NewMap()
			for _, k := range subst.SortedKeys(tc.in) {
				yamlio.MapSet(ann, k, yamlio.NewStr(tc.in[k]))
			}
			m := &Manifest{File: "f.yaml", Line: 1, Kind: "Job", Name: "j", Tree: yamlio.NewMap("metadata", yamlio.NewMap("name", yamlio.NewStr("j"), "annotations", ann))}
			changed, notes := ConvertHelmHooks(m)
			if changed != tc.changed {
				t.Errorf("changed = %v, want %v", changed, tc.changed)
			}
			want := tc.want
			if want == nil {
				want = tc.in
			}
			got := map[string]string{}
			for i := 0; i+1 < len(ann.Content); i += 2 {
				got[ann.Content[i].Value] = ann.Content[i+1].Value
			}
			if len(got) != len(want) {
				t.Errorf("annotations %v, want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
			if tc.note == "" && len(notes) > 0 || tc.note != "" && !strings.Contains(notes.Error(), tc.note) {
				t.Errorf("notes %q, want %q", notes.Error(), tc.note)
			}
		})
	}
}

// TestAnnotateMatch checks each selector.
func TestAnnotateMatch(t *testing.T) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("metadata:\n  labels: {app: a, tier: web}\n"), &n); err != nil {
		t.Fatal(err)
	}
	m := &Manifest{APIVersion: "apps/v1", Kind: "Deployment", Name: "web-1", Namespace: "ns", Tree: n.Content[0]}
	for _, tc := range []struct {
		match hookspec.ResourceMatch
		want  bool
	}{
		{hookspec.ResourceMatch{Kind: "Deployment"}, true},
		{hookspec.ResourceMatch{Kind: "deployment"}, false},
		{hookspec.ResourceMatch{Name: "web-*"}, true},
		{hookspec.ResourceMatch{Name: "web"}, false},
		{hookspec.ResourceMatch{APIVersion: "apps/v1", Kind: "Deployment"}, true},
		{hookspec.ResourceMatch{APIVersion: "v1", Kind: "Deployment"}, false},
		{hookspec.ResourceMatch{Namespace: "ns", Name: "*"}, true},
		{hookspec.ResourceMatch{Namespace: "other", Name: "*"}, false},
		{hookspec.ResourceMatch{Labels: map[string]string{"app": "a", "tier": "web"}}, true},
		{hookspec.ResourceMatch{Labels: map[string]string{"app": "b"}}, false},
		{hookspec.ResourceMatch{Labels: map[string]string{"missing": ""}}, false},
	} {
		r := &AnnotateRule{AnnotateRule: &hookspec.AnnotateRule{Match: &tc.match}}
		if got := r.Matches(m); got != tc.want {
			t.Errorf("%+v: got %v, want %v", tc.match, got, tc.want)
		}
	}
}
