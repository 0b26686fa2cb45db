package transform

import (
	"regexp"
	"testing"
)

func TestLazyRegexpsCompile(t *testing.T) {
	if len(lazyRegexps) < 10 {
		t.Fatalf("only %d lazy regexps registered", len(lazyRegexps))
	}
	for _, l := range lazyRegexps {
		if _, err := regexp.Compile(l.pattern); err != nil {
			t.Errorf("%q: %v", l.pattern, err)
		}
	}
}
