package loop

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Diagnose describes where an Application stands when a test gave up
// waiting on it: its finalizers, conditions and operation; the
// application controller's log lines about it; and what the
// controller's busy goroutines are doing (the whole goroutine dump is
// written beside the daemons' logs). A CI log that ends in a timeout
// then says where Argo CD waited.
func (s *Stack) Diagnose(ctx context.Context, name string) string {
	var b strings.Builder
	if app, err := s.App(ctx, name); err != nil {
		fmt.Fprintf(&b, "application %s: %v\n", name, err)
	} else {
		fmt.Fprintf(&b, "application %s: deletionTimestamp=%v finalizers=%q sync=%s health=%s\n",
			name, app.DeletionTimestamp, app.Finalizers, app.Status.Sync.Status, app.Status.Health.Status)
		for _, c := range app.Status.Conditions {
			fmt.Fprintf(&b, "  condition %s: %s\n", c.Type, c.Message)
		}
		if op := app.Status.OperationState; op != nil {
			fmt.Fprintf(&b, "  operation %s: %s\n", op.Phase, op.Message)
		}
	}
	if s.Controller != nil {
		lines := grepLog(s.Controller.LogPath(), `"application":"`+name+`"`, 40)
		fmt.Fprintf(&b, "controller log lines about %s (last %d):\n", name, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	if s.ControllerMetricsAddr != "" {
		b.WriteString(s.busyGoroutines(ctx))
	}
	return b.String()
}

// busyGoroutines fetches the controller's goroutine dump, keeps it in
// logs/, and returns the goroutines that run Argo CD's controller code
// past a work queue's Get (the ones processing an item, or stuck in it).
func (s *Stack) busyGoroutines(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.ControllerMetricsAddr+"/debug/pprof/goroutine?debug=2", nil)
	if err != nil {
		return fmt.Sprintf("goroutines: %v\n", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Sprintf("goroutines: %v\n", err)
	}
	defer resp.Body.Close()
	dump, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("goroutines: %s %v: %.200s\n", resp.Status, err, dump)
	}
	path := filepath.Join(s.Dir, "logs", fmt.Sprintf("controller-goroutines-%d.txt", time.Now().UnixNano()))
	_ = os.WriteFile(path, dump, 0o644)
	var b strings.Builder
	n := 0
	for _, g := range strings.Split(string(dump), "\n\n") {
		if !strings.Contains(g, "controller.(*ApplicationController)") || idle(g) {
			continue
		}
		n++
		b.WriteString(g)
		b.WriteString("\n\n")
	}
	return fmt.Sprintf("controller goroutines in Argo CD's controller code, not idle (%d; whole dump in %s):\n%s", n, path, b.String())
}

// idle reports whether a goroutine only waits for work: the first frame
// under the runtime's is a work queue's or a ticker's wait.
func idle(g string) bool {
	for _, l := range strings.Split(g, "\n")[1:] {
		if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "runtime.") || strings.HasPrefix(l, "sync.") {
			continue
		}
		return strings.Contains(l, "workqueue.") || strings.Contains(l, "wait.") || strings.Contains(l, "time.Sleep")
	}
	return true
}

// grepLog returns the last max lines of the file at path that contain
// sub.
func grepLog(path, sub string, max int) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{err.Error()}
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.Contains(l, sub) {
			out = append(out, l)
			if len(out) > max {
				out = out[1:]
			}
		}
	}
	return out
}
