// Rows d and r and the monorepo figure: read from the JSON that the
// benchmarks through Argo CD's servers write (bench/run.sh).

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/hookgen/hookgen/internal/benchdata"
)

// cmpRow reads row (d). A row that was asked for and has no timings is
// an error: bench/run.sh builds what it needs, so a missing file means
// the run failed.
func cmpRow(file string) (*benchRow, error) {
	var res benchdata.CmpResult
	if err := readJSON(file, "-cmp", &res); err != nil {
		return nil, fmt.Errorf("row d: %w", err)
	}
	if len(res.Hookgen) == 0 || len(res.Hookgen) != len(res.Cat) {
		return nil, fmt.Errorf("row d: %s holds %d and %d timings", file, len(res.Hookgen), len(res.Cat))
	}
	r := &benchRow{id: "d", what: "through the real argocd-cmp-server: hookgen plugin vs a `cat` plugin, same repository (plain app, 1,000 ConfigMaps + 6 hooks)", aName: "hookgen plugin", bName: "cat plugin"}
	r.a, r.b = res.Hookgen, res.Cat
	if res.TempFS == "" {
		return nil, fmt.Errorf("row d: %s does not say where the servers wrote their files", file)
	}
	r.ratioTarget(1.10)
	r.note = "Argo CD " + res.Argo + "; request files on " + res.TempFS
	return r, nil
}

func readJSON(file, flagName string, v any) error {
	if file == "" {
		return fmt.Errorf("not measured: no %s file (bench/run.sh makes it)", flagName)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("not measured: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// monoReport is the monorepo figure, with the release that served it.
type monoReport struct {
	*benchdata.MonoResult
	argo string
}

// repoRows reads the rows (r): for each shape, the hookgen plugin against
// the directory source (the cost of adopting hookgen, reported with no
// target) and against the cat plugin (the floor of the plugin path, the
// target of row d).
func repoRows(file string) ([]*benchRow, *monoReport, error) {
	var res benchdata.RepoResult
	if err := readJSON(file, "-repo", &res); err != nil {
		return nil, nil, fmt.Errorf("rows r: %w", err)
	}
	if len(res.Shapes) != len(benchdata.Shapes) {
		return nil, nil, fmt.Errorf("rows r: %s holds %d shapes, want %d", file, len(res.Shapes), len(benchdata.Shapes))
	}
	if res.TempFS == "" {
		return nil, nil, fmt.Errorf("rows r: %s does not say where the servers wrote their files", file)
	}
	var rows []*benchRow
	for _, s := range benchdata.Shapes {
		i := slices.IndexFunc(res.Shapes, func(x benchdata.ShapeResult) bool { return x.Name == s.Name })
		if i < 0 {
			return nil, nil, fmt.Errorf("rows r: %s has no shape %s", file, s.Name)
		}
		sh := res.Shapes[i]
		if n := len(sh.Hookgen); n == 0 || len(sh.Directory) != n || len(sh.Cat) != n {
			return nil, nil, fmt.Errorf("rows r: %s, %s holds %d, %d and %d timings", file, s.Name, len(sh.Directory), len(sh.Hookgen), len(sh.Cat))
		}
		what := fmt.Sprintf("through the real argocd-repo-server, GenerateManifest with NoCache: %s + 6 hooks (%d plain objects, the same from both)", s.What, sh.Objects)
		dir := &benchRow{id: "r " + s.Name, what: what + ": hookgen plugin vs a Directory source", aName: "hookgen plugin", bName: "directory", a: sh.Hookgen, b: sh.Directory, noTarget: true, pass: true}
		dir.target = "– (the cost of adopting hookgen)"
		cat := &benchRow{id: "r " + s.Name, what: what + ": hookgen plugin vs a `cat` plugin", aName: "hookgen plugin", bName: "cat plugin", a: sh.Hookgen, b: sh.Cat}
		cat.ratioTarget(1.10)
		dir.note, cat.note = "request files on "+res.TempFS, "request files on "+res.TempFS
		rows = append(rows, dir, cat)
	}
	if res.Monorepo == nil || len(res.Monorepo.Configs) == 0 {
		return nil, nil, fmt.Errorf("rows r: %s holds no monorepo figure", file)
	}
	for _, c := range res.Monorepo.Configs {
		if len(c.Wall) == 0 || len(c.Calls) != len(c.Wall) {
			return nil, nil, fmt.Errorf("rows r: %s, monorepo %s holds %d rounds and %d call lists", file, c.Name, len(c.Wall), len(c.Calls))
		}
	}
	return rows, &monoReport{res.Monorepo, res.Argo + " (request files on " + res.TempFS + ")"}, nil
}
