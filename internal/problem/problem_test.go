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
