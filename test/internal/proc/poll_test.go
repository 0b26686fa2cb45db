package proc

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	n := 0
	err := Poll(context.Background(), time.Millisecond, func() (bool, error) {
		n++
		return n == 3, nil
	})
	if err != nil || n != 3 {
		t.Fatalf("Poll = %v after %d calls, want nil after 3", err, n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := Poll(ctx, time.Millisecond, func() (bool, error) { return false, nil }); err != context.DeadlineExceeded {
		t.Errorf("Poll without a check error = %v, want context.DeadlineExceeded", err)
	}
	err = Poll(ctx, time.Millisecond, func() (bool, error) { return false, errors.New("boom") })
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Poll with a check error = %v, want DeadlineExceeded reporting boom", err)
	}
}
