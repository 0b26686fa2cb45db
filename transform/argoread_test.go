package transform

import (
	"slices"
	"testing"
)

func TestReadArgo(t *testing.T) {
	type want struct {
		hook, skip bool
		sync       []Phase
		wave       int
		del        []Phase
		v2         bool
	}
	for _, tc := range []struct {
		name string
		ann  map[string]any
		want want
	}{
		{"plain", nil, want{sync: []Phase{Sync}}},
		{"argo", map[string]any{AnnotationHook: " PostSync , PreSync,PreSync"}, want{hook: true, sync: []Phase{PreSync, PostSync}}},
		{"skip", map[string]any{AnnotationHook: "Skip,Skip"}, want{skip: true}},
		{"skip and more", map[string]any{AnnotationHook: "Skip,PreSync"}, want{hook: true, sync: []Phase{PreSync}}},
		{"empty hook", map[string]any{AnnotationHook: ""}, want{hook: true}},
		{"unknown argo falls back to helm", map[string]any{AnnotationHook: "Bogus", HelmAnnotationHook: "post-upgrade"}, want{hook: true, sync: []Phase{PostSync}}},
		{"argo wins over helm", map[string]any{AnnotationHook: "Sync", HelmAnnotationHook: "pre-install"}, want{hook: true, sync: []Phase{Sync}}},
		{"helm twice per sync", map[string]any{HelmAnnotationHook: "post-install,pre-upgrade", HelmAnnotationHookWeight: "-5"}, want{hook: true, sync: []Phase{PreSync, PostSync}, wave: -5}},
		{"crd-install", map[string]any{HelmAnnotationHook: "crd-install", HelmAnnotationHookWeight: "2"}, want{sync: []Phase{Sync}, wave: 2}},
		{"crd-install spaced", map[string]any{HelmAnnotationHook: " crd-install"}, want{hook: true}},
		{"helm test", map[string]any{HelmAnnotationHook: "test"}, want{hook: true}},
		{"sync wave wins", map[string]any{AnnotationSyncWave: "3", HelmAnnotationHookWeight: "9"}, want{sync: []Phase{Sync}, wave: 3}},
		{"sync wave not an integer", map[string]any{AnnotationSyncWave: " 3", HelmAnnotationHookWeight: "+4"}, want{sync: []Phase{Sync}, wave: 4}},
		{"wave past int32", map[string]any{AnnotationSyncWave: "99999999999"}, want{sync: []Phase{Sync}, wave: 99999999999}},
		{"annotation not a string", map[string]any{AnnotationHook: "PreSync", AnnotationSyncWave: int64(5)}, want{sync: []Phase{Sync}}},
		{"post-delete exact", map[string]any{HelmAnnotationHook: "post-delete"}, want{hook: true, del: []Phase{PostDelete}, v2: true}},
		{"deletion lists", map[string]any{AnnotationHook: "PostSync, PostDelete", HelmAnnotationHook: "pre-delete"}, want{hook: true, sync: []Phase{PostSync}, del: []Phase{PreDelete, PostDelete}}},
		{"predelete", map[string]any{AnnotationHook: "PreDelete"}, want{hook: true, del: []Phase{PreDelete}}},
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
		for k, v := range map[string]string{AnnotationHook: hook, HelmAnnotationHook: helm, AnnotationSyncWave: wave, HelmAnnotationHookWeight: weight} {
			if v != "" {
				ann[k] = v
			}
		}
		r := ReadArgo(map[string]any{"metadata": map[string]any{"annotations": ann}})
		switch {
		case r.Skip && (r.Hook || len(r.SyncPhases) > 0):
			t.Errorf("skipped yet applied: %+v", r)
		case !r.Hook && !r.Skip && !slices.Equal(r.SyncPhases, []Phase{Sync}):
			t.Errorf("an ordinary resource not in Sync: %+v", r)
		case r.PostDeleteV2 && !slices.Contains(r.DeletePhases, PostDelete):
			t.Errorf("a PostDelete hook for 2.14 but not for 3.3: %+v", r)
		case len(r.DeletePhases) > 0 && !r.Hook && !r.Skip:
			t.Errorf("a deletion hook applied with the resources: %+v", r)
		}
		for i, p := range r.SyncPhases {
			if i > 0 && p.order() <= r.SyncPhases[i-1].order() {
				t.Errorf("phases out of order or twice: %v", r.SyncPhases)
			}
		}
	})
}
