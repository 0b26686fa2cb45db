package loop

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookgen/hookgen/test/internal/kubeapi"
)

// Kind names a watched resource type.
type Kind struct{ APIVersion, Kind string }

// Kinds commonly watched in hook tests.
var (
	Jobs        = Kind{"batch/v1", "Job"}
	Pods        = Kind{"v1", "Pod"}
	ConfigMaps  = Kind{"v1", "ConfigMap"}
	Deployments = Kind{"apps/v1", "Deployment"}
)

// Event is one observed change, stamped when the watch delivered it.
type Event struct {
	Time   time.Time
	Type   string // ADDED, MODIFIED, DELETED
	Kind   string
	Name   string
	Object map[string]any
}

func (e Event) String() string {
	return fmt.Sprintf("%s %-8s %s/%s", e.Time.Format("15:04:05.000"), e.Type, e.Kind, e.Name)
}

// Recorder collects watch events of some kinds in one namespace.
type Recorder struct {
	mu     sync.Mutex
	events []Event
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Record starts watching kinds in namespace until the test ends (or Stop).
// Existing objects arrive as ADDED first. A watch that the server closes is
// restarted.
func (s *Stack) Record(t testing.TB, namespace string, kinds ...Kind) *Recorder {
	t.Helper()
	r := s.Recorder(namespace, kinds...)
	t.Cleanup(r.Stop)
	return r
}

// Recorder is Record without a test: the watches run until Stop, or until
// the stack stops.
func (s *Stack) Recorder(namespace string, kinds ...Kind) *Recorder {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Recorder{cancel: cancel}
	for _, k := range kinds {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for ctx.Err() == nil {
				err := s.API.Watch(ctx, k.APIVersion, k.Kind, namespace, func(ev kubeapi.WatchEvent) {
					if ev.Type == "BOOKMARK" || ev.Type == "ERROR" {
						return
					}
					name, _ := kubeapi.Nested(ev.Object, "metadata", "name").(string)
					r.mu.Lock()
					r.events = append(r.events, Event{Time: time.Now(), Type: ev.Type, Kind: k.Kind, Name: name, Object: ev.Object})
					r.mu.Unlock()
				})
				if err != nil && ctx.Err() == nil {
					time.Sleep(200 * time.Millisecond)
				}
			}
		}()
	}
	s.mu.Lock()
	s.recorders = append(s.recorders, r)
	s.mu.Unlock()
	return r
}

// Stop ends the watches. Stack.Stop stops its recorders first: open
// watches would hold up the API server's shutdown.
func (r *Recorder) Stop() {
	r.cancel()
	r.wg.Wait()
}

// Events returns the events so far, in arrival order.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// Find returns the first event matching pred, if any.
func (r *Recorder) Find(pred func(Event) bool) (Event, bool) {
	for _, e := range r.Events() {
		if pred(e) {
			return e, true
		}
	}
	return Event{}, false
}

// String lists the events, one per line.
func (r *Recorder) String() string {
	var b strings.Builder
	for _, e := range r.Events() {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// JobFinished matches the event that first shows a Job with the Complete
// (ok=true) or Failed (ok=false) condition.
func JobFinished(name string, ok bool) func(Event) bool {
	want := "Failed"
	if ok {
		want = "Complete"
	}
	return func(e Event) bool {
		return e.Kind == "Job" && e.Name == name && HasCondition(e.Object, want)
	}
}
