package problem

import (
	"testing"
)

func TestProblemsOrder(t *testing.T) {
	ps := Problems{
		{Pos: Pos{File: "b.yaml", Line: 1}, Msg: "x"},
		{Pos: Pos{File: "a.yaml", Line: 9}, Hook: "h", Msg: "y"},
		{Pos: Pos{File: "a.yaml", Line: 2}, Msg: "z"},
		{Pos: Pos{File: "a.yaml", Line: 2}, Msg: "z"},
	}.Sorted()
	want := "a.yaml:2: z\na.yaml:9: hook \"h\": y\nb.yaml:1: x"
	if ps.Error() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", ps.Error(), want)
	}
}

// TestMerge: problems and secrets recorded apart read as if recorded in
// one collector.
func TestMerge(t *testing.T) {
	part := &Collector{}
	part.Secret("hunter2-token")
	part.Add(Pos{File: "b.yaml", Line: 2}, "", "flag --password=hunter2-token is literal")
	all := &Collector{}
	all.Add(Pos{File: "a.yaml", Line: 1}, "", "first, hunter2-token here too")
	all.Merge(part)
	got := all.Err().Error()
	want := "a.yaml:1: first, [redacted] here too\nb.yaml:2: flag --password=[redacted] is literal"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
