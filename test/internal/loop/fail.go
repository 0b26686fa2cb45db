package loop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// JobNameLabels are the labels the Job controller puts on the pods of a
// Job, holding the Job's name (batch.kubernetes.io/job-name since
// Kubernetes 1.27, job-name before and still).
var JobNameLabels = []string{"batch.kubernetes.io/job-name", "job-name"}

// JobFailure selects Jobs whose pods kwok fails.
type JobFailure struct {
	// Namespace of the Jobs; "" selects every namespace.
	Namespace string
	// Names are exact Job names.
	Names []string
	// Prefixes match the start of a Job name: a hook with generateName is
	// named <generateName><revision[:7]>-<phase>-<unix time> by Argo CD.
	Prefixes []string
}

var stageSeq atomic.Int64

// FailJobs adds a kwok Stage that fails (exit code 1) every running pod of
// the selected Jobs, selecting on the Job-name label of the pod. Nothing in
// the Jobs themselves changes. kwok's pod-complete stage matches the same
// pods; this stage has weight 1 against its 0, and kwok picks among
// matching stages by weight, so the failure always wins. kwok watches
// Stage objects, so the stage applies to pods created from now on. It
// returns the Stage's name, for RemoveStage.
func (s *Stack) FailJobs(ctx context.Context, f JobFailure) (string, error) {
	if len(f.Names) == 0 && len(f.Prefixes) == 0 {
		return "", errors.New("loop: FailJobs needs job names or prefixes")
	}
	name := fmt.Sprintf("fail-jobs-%d", stageSeq.Add(1))
	exprs := []map[string]any{
		{"key": ".metadata.deletionTimestamp", "operator": "DoesNotExist"},
		{"key": ".status.phase", "operator": "In", "values": []string{"Running"}},
		{"key": jobNameQuery(f.Names, f.Prefixes), "operator": "In", "values": []string{"true"}},
	}
	if f.Namespace != "" {
		exprs = append(exprs, map[string]any{"key": ".metadata.namespace", "operator": "In", "values": []string{f.Namespace}})
	}
	sel, err := json.Marshal(map[string]any{"matchExpressions": exprs})
	if err != nil {
		return "", err
	}
	stage := `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ` + name + `
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  weight: 1
  selector: ` + string(sel) + `
  next:
` + failedPodStatus("simulated failure (kwok stage "+name+")")
	if _, err := s.API.Apply(ctx, "", []byte(stage)); err != nil {
		return "", err
	}
	return name, nil
}

// RemoveStage deletes a kwok Stage added by FailJobs.
func (s *Stack) RemoveStage(ctx context.Context, name string) error {
	return s.API.Delete(ctx, "kwok.x-k8s.io/v1alpha1", "Stage", "", name)
}

// jobNameQuery is a jq expression that is true for a pod whose Job-name
// label is one of names or starts with one of prefixes.
func jobNameQuery(names, prefixes []string) string {
	var label []string
	for _, l := range JobNameLabels {
		label = append(label, ".metadata.labels["+jqString(l)+"]")
	}
	var or []string
	for _, n := range names {
		or = append(or, "$n == "+jqString(n))
	}
	for _, p := range prefixes {
		or = append(or, "($n | startswith("+jqString(p)+"))")
	}
	return "(" + strings.Join(label, " // ") + ` // "") as $n | (` + strings.Join(or, " or ") + ")"
}

// jqString quotes s as a jq string literal (JSON's syntax).
func jqString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
