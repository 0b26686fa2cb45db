package explain

import (
	"slices"
	"strconv"
	"testing"

	"github.com/hookgen/hookgen/internal/hookspec"
)

func TestReadArgo(t *testing.T) {
	type want struct {
		hook, skip bool
		sync       []hookspec.Phase
		wave       int
		del        []hookspec.Phase
		v2         bool
	}
	// Argo CD reads waves with strconv.Atoi: past int32, a wave only
	// where int has 64 bits (no wave, 0, on 32-bit platforms).
	bigWave, err := strconv.Atoi("99999999999")
	if err != nil {
		bigWave = 0
	}
	for _, tc := range []struct {
		name string
		ann  map[string]any
		want want
	}{
		{"plain", nil, want{sync: []hookspec.Phase{hookspec.Sync}}},
		{"argo", map[string]any{hookspec.AnnotationHook: " PostSync , PreSync,PreSync"}, want{hook: true, sync: []hookspec.Phase{hookspec.PreSync, hookspec.PostSync}}},
		{"skip", map[string]any{hookspec.AnnotationHook: "Skip,Skip"}, want{skip: true}},
		{"skip and more", map[string]any{hookspec.AnnotationHook: "Skip,PreSync"}, want{hook: true, sync: []hookspec.Phase{hookspec.PreSync}}},
		{"empty hook", map[string]any{hookspec.AnnotationHook: ""}, want{hook: true}},
		{"unknown argo falls back to helm", map[string]any{hookspec.AnnotationHook: "Bogus", hookspec.HelmAnnotationHook: "post-upgrade"}, want{hook: true, sync: []hookspec.Phase{hookspec.PostSync}}},
		{"argo wins over helm", map[string]any{hookspec.AnnotationHook: "Sync", hookspec.HelmAnnotationHook: "pre-install"}, want{hook: true, sync: []hookspec.Phase{hookspec.Sync}}},
		{"helm twice per sync", map[string]any{hookspec.HelmAnnotationHook: "post-install,pre-upgrade", hookspec.HelmAnnotationHookWeight: "-5"}, want{hook: true, sync: []hookspec.Phase{hookspec.PreSync, hookspec.PostSync}, wave: -5}},
		{"crd-install", map[string]any{hookspec.HelmAnnotationHook: "crd-install", hookspec.HelmAnnotationHookWeight: "2"}, want{sync: []hookspec.Phase{hookspec.Sync}, wave: 2}},
		{"crd-install spaced", map[string]any{hookspec.HelmAnnotationHook: " crd-install"}, want{hook: true}},
		{"helm test", map[string]any{hookspec.HelmAnnotationHook: "test"}, want{hook: true}},
		{"sync wave wins", map[string]any{hookspec.AnnotationSyncWave: "3", hookspec.HelmAnnotationHookWeight: "9"}, want{sync: []hookspec.Phase{hookspec.Sync}, wave: 3}},
		{"sync wave not an integer", map[string]any{hookspec.AnnotationSyncWave: " 3", hookspec.HelmAnnotationHookWeight: "+4"}, want{sync: []hookspec.Phase{hookspec.Sync}, wave: 4}},
		{"wave past int32", map[string]any{hookspec.AnnotationSyncWave: "99999999999"}, want{sync: []hookspec.Phase{hookspec.Sync}, wave: bigWave}},
		{"annotation not a string", map[string]any{hookspec.AnnotationHook: "PreSync", hookspec.AnnotationSyncWave: int64(5)}, want{sync: []hookspec.Phase{hookspec.Sync}}},
		{"post-delete exact", map[string]any{hookspec.HelmAnnotationHook: "post-delete"}, want{hook: true, del: []hookspec.Phase{hookspec.PostDelete}, v2: true}},
		{"deletion lists", map[string]any{hookspec.AnnotationHook: "PostSync, PostDelete", hookspec.HelmAnnotationHook: "pre-delete"}, want{hook: true, sync: []hookspec.Phase{hookspec.PostSync}, del: []hookspec.Phase{hookspec.PreDelete, hookspec.PostDelete}}},
		{"predelete", map[string]any{hookspec.AnnotationHook: "PreDelete"}, want{hook: true, del: []hookspec.Phase{hookspec.PreDelete}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := map[string]any{"metadata": map[string]any{"annotations": tc.ann}}
			r := ReadArgo(obj)
			got := want{r.Hook, r.Skip, r.SyncPhases, r.Wave, r.DeletePhases, r.PostDeleteV2}
			if got.hook != tc.want.hook || got.skip != tc.want.skip || !slices.Equal(got.sync, tc.want.sync) || got.wave != tc.want.wave || !slices.Equal(got.del, tc.want.del) || got.v2 != tc.want.v2 {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// FuzzReadArgo checks what holds for any annotations.
func FuzzReadArgo(f *testing.F) {
	f.Add("PreSync,Skip", "post-install,pre-upgrade", "1", "-2")
	f.Add("Skip", "", "x", "3")
	f.Add("", "crd-install", "", "")
	f.Add("PostDelete", "post-delete", "+7", "")
	f.Fuzz(func(t *testing.T, hook, helm, wave, weight string) {
		ann := map[string]any{}
		for k, v := range map[string]string{hookspec.AnnotationHook: hook, hookspec.HelmAnnotationHook: helm, hookspec.AnnotationSyncWave: wave, hookspec.HelmAnnotationHookWeight: weight} {
			if v != "" {
				ann[k] = v
			}
		}
		r := ReadArgo(map[string]any{"metadata": map[string]any{"annotations": ann}})
		switch {
		case r.Skip && (r.Hook || len(r.SyncPhases) > 0):
			t.Errorf("skipped yet applied: %+v", r)
		case !r.Hook && !r.Skip && !slices.Equal(r.SyncPhases, []hookspec.Phase{hookspec.Sync}):
			t.Errorf("an ordinary resource not in Sync: %+v", r)
		case r.PostDeleteV2 && !slices.Contains(r.DeletePhases, hookspec.PostDelete):
			t.Errorf("a PostDelete hook for 2.14 but not for 3.3: %+v", r)
		case len(r.DeletePhases) > 0 && !r.Hook && !r.Skip:
			t.Errorf("a deletion hook applied with the resources: %+v", r)
		}
		for i, p := range r.SyncPhases {
			if i > 0 && p.Order() <= r.SyncPhases[i-1].Order() {
				t.Errorf("phases out of order or twice: %v", r.SyncPhases)
			}
		}
	})
}
