package transform

import (
	"regexp"
	"testing"

	"github.com/hookgen/hookgen/internal/lazyre"
)

// TestLazyRegexpsCompile compiles every lazy regexp of every stage: the
// transform test binary links them all.
func TestLazyRegexpsCompile(t *testing.T) {
	patterns := lazyre.Patterns()
	if len(patterns) < 10 {
		t.Fatalf("only %d lazy regexps registered", len(patterns))
	}
	for _, p := range patterns {
		if _, err := regexp.Compile(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
}
