package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/spf13/pflag"
)

// retryPolicy bounds the attempts of one action.
type retryPolicy struct {
	Attempts   int           // at most this many attempts
	Timeout    time.Duration // each attempt
	Deadline   time.Duration // all attempts and waits together
	Backoff    time.Duration // base of the exponential backoff
	MaxBackoff time.Duration // cap of one wait (a server's Retry-After may ask for more)
}

func (p *retryPolicy) register(fs *pflag.FlagSet) {
	fs.IntVar(&p.Attempts, "attempts", p.Attempts, "maximum number of attempts")
	fs.DurationVar(&p.Timeout, "timeout", p.Timeout, "timeout of each attempt")
	fs.DurationVar(&p.Deadline, "deadline", p.Deadline, "overall deadline for all attempts and waits")
	fs.DurationVar(&p.Backoff, "backoff", p.Backoff, "base wait before a retry (doubles each attempt; full jitter)")
	fs.DurationVar(&p.MaxBackoff, "max-backoff", p.MaxBackoff, "longest wait between attempts, unless the server's Retry-After asks for more")
}

func (p *retryPolicy) check() error {
	switch {
	case p.Attempts < 1 || p.Attempts > 100:
		return usageErrorf("--attempts must be between 1 and 100")
	case p.Timeout <= 0:
		return usageErrorf("--timeout must be positive")
	case p.Deadline <= 0:
		return usageErrorf("--deadline must be positive")
	case p.Backoff < 0:
		return usageErrorf("--backoff must not be negative")
	case p.MaxBackoff < p.Backoff:
		return usageErrorf("--max-backoff must not be below --backoff")
	}
	return nil
}

// wait is the full-jitter backoff before attempt n+1: a uniform random
// duration in [0, min(MaxBackoff, Backoff·2^(n-1))].
func (p *retryPolicy) wait(n int) time.Duration {
	ceiling := p.Backoff
	for i := 1; i < n && ceiling < p.MaxBackoff; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, p.MaxBackoff)
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// attemptError carries how an attempt failed.
type attemptError struct {
	err        error
	permanent  bool          // retrying cannot help
	retryAfter time.Duration // the server asked to wait this long
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

// permanent marks err as not worth retrying.
func permanent(err error) error { return &attemptError{err: err, permanent: true} }

// retryAfter marks err as retryable after at least d.
func retryAfter(err error, d time.Duration) error { return &attemptError{err: err, retryAfter: d} }

// failure is the outcome of an action that did not succeed.
type failure struct {
	attempts int
	elapsed  time.Duration
	err      error
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// attemptFunc makes one attempt; it returns a short description of what
// succeeded ("200 OK") or why it failed.
type attemptFunc func(ctx context.Context) (string, error)

// run calls op until it succeeds, fails permanently, runs out of attempts or
// reaches the deadline, logging one line per attempt.
func (p *retryPolicy) run(ctx context.Context, log *logger, op attemptFunc) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, p.Deadline)
	defer cancel()
	deadline, _ := ctx.Deadline()
	for n := 1; ; n++ {
		actx, acancel := context.WithTimeout(ctx, p.Timeout)
		t0 := time.Now()
		summary, err := op(actx)
		attemptTimedOut := actx.Err() != nil && ctx.Err() == nil
		acancel()
		took := round(time.Since(t0))
		if err == nil {
			log.printf("attempt %d/%d: %s (%s)", n, p.Attempts, summary, took)
			return nil
		}
		fail := func(why string) error {
			log.printf("attempt %d/%d failed after %s: %s; %s", n, p.Attempts, took, log.describe(err), why)
			return &failure{attempts: n, elapsed: time.Since(start), err: err}
		}
		if attemptTimedOut {
			err = fmt.Errorf("%w (attempt timed out after %s)", err, p.Timeout)
		}
		if ctx.Err() != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fail(fmt.Sprintf("overall deadline of %s reached", p.Deadline))
			}
			return fail("cancelled: " + context.Cause(ctx).Error())
		}
		var ae *attemptError
		isAE := errors.As(err, &ae)
		if isAE && ae.permanent {
			return fail("not retryable")
		}
		if n >= p.Attempts {
			return fail("no attempts left")
		}
		wait := p.wait(n)
		if isAE && ae.retryAfter > 0 {
			if left := time.Until(deadline); ae.retryAfter >= left {
				return fail(fmt.Sprintf("the server asked to retry after %s, past the deadline (%s left)", ae.retryAfter, round(left)))
			}
			wait = max(wait, ae.retryAfter)
		}
		if left := time.Until(deadline); wait >= left {
			return fail(fmt.Sprintf("no time for another attempt before the deadline (%s left)", round(left)))
		}
		log.printf("attempt %d/%d failed after %s: %s; retrying in %s", n, p.Attempts, took, log.describe(err), round(wait))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			log.printf("stopped while waiting to retry: %s", context.Cause(ctx))
			return &failure{attempts: n, elapsed: time.Since(start), err: err}
		}
	}
}

// round makes durations readable in logs.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	default:
		return d.Round(time.Microsecond)
	}
}
