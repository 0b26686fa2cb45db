package podsecdiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	kjson "sigs.k8s.io/json"

	"github.com/hookgen/hookgen/internal/podsec"
)

// restrictedLatest is what a namespace labelled
// pod-security.kubernetes.io/enforce=restricted enforces.
var restrictedLatest = api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}

var (
	oracleMu  sync.Mutex
	failedIDs []string // filled by the wrapped checks during one evaluation
	tagged    policy.Evaluator
	plain     policy.Evaluator
)

func init() {
	checks := policy.DefaultChecks()
	for i := range checks {
		id := string(checks[i].ID)
		for j := range checks[i].Versions {
			fn := checks[i].Versions[j].CheckPod
			checks[i].Versions[j].CheckPod = func(m *metav1.ObjectMeta, s *corev1.PodSpec) policy.CheckResult {
				r := fn(m, s)
				if !r.Allowed {
					failedIDs = append(failedIDs, id)
				}
				return r
			}
		}
	}
	var err error
	if tagged, err = policy.NewEvaluator(checks, nil); err != nil {
		panic(err)
	}
	if plain, err = policy.NewEvaluator(policy.DefaultChecks(), nil); err != nil {
		panic(err)
	}
}

// Oracle returns the sorted ids of the checks the library fails the pod
// on; nil means allowed. It also returns the library's reasons, for
// failure messages.
func Oracle(pod *corev1.Pod) (ids []string, reasons []string, err error) {
	oracleMu.Lock()
	defer oracleMu.Unlock()
	failedIDs = nil
	results := tagged.EvaluatePod(restrictedLatest, &pod.ObjectMeta, &pod.Spec)
	for _, r := range results {
		if !r.Allowed {
			reasons = append(reasons, r.ForbiddenReason+": "+r.ForbiddenDetail)
		}
	}
	ids = slices.Clone(failedIDs)
	if len(ids) != len(reasons) {
		return nil, nil, fmt.Errorf("wrapped checks saw %d failures, the evaluator returned %d", len(ids), len(reasons))
	}
	// The wrapping must not change the verdict.
	allowed := true
	for _, r := range plain.EvaluatePod(restrictedLatest, &pod.ObjectMeta, &pod.Spec) {
		allowed = allowed && r.Allowed
	}
	if allowed != (len(ids) == 0) {
		return nil, nil, fmt.Errorf("plain evaluator says allowed=%v, wrapped checks failed %v", allowed, ids)
	}
	slices.Sort(ids)
	return slices.Compact(ids), reasons, nil
}

// OracleJSON decodes a pod's JSON the way the API server does
// (sigs.k8s.io/json, case-sensitive, unknown fields dropped) and asks the
// library. A decode error is returned as is: the server rejects the object.
func OracleJSON(data []byte) (ids []string, reasons []string, decodeErr error, err error) {
	var pod corev1.Pod
	if decodeErr = kjson.UnmarshalCaseSensitivePreserveInts(data, &pod); decodeErr != nil {
		return nil, nil, decodeErr, nil
	}
	ids, reasons, err = Oracle(&pod)
	return ids, reasons, nil, err
}

// Podsec marshals the pod to JSON and judges it with podsec; it returns
// the sorted ids of the failed checks and the violations.
func Podsec(pod *corev1.Pod) ([]string, []podsec.Violation, error) {
	data, err := json.Marshal(pod)
	if err != nil {
		return nil, nil, err
	}
	return PodsecJSON(data)
}

// PodsecJSON decodes a pod's JSON into the JSON value model (encoding/json,
// UseNumber) and judges it with podsec.
func PodsecJSON(data []byte) ([]string, []podsec.Violation, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, err
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("pod is %T, not an object", doc)
	}
	meta, _ := obj["metadata"].(map[string]any)
	spec, _ := obj["spec"].(map[string]any)
	vs := podsec.Restricted(meta, spec)
	var ids []string
	for _, v := range vs {
		if v.Field == "" || v.Message == "" {
			return nil, nil, fmt.Errorf("violation without field or message: %+v", v)
		}
		ids = append(ids, v.Check)
	}
	slices.Sort(ids)
	return slices.Compact(ids), vs, nil
}
