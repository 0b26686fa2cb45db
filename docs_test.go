package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/hookgen/hookgen/internal/golden"
)

// readmeMaxLines is how long the README may grow: a page a newcomer reads
// in a few minutes. Reference belongs in docs/.
const readmeMaxLines = 300

// TestReadmeLength keeps the README short.
func TestReadmeLength(t *testing.T) {
	n := bytes.Count(mustRead(t, "README.md"), []byte("\n"))
	if n > readmeMaxLines {
		t.Errorf("README.md has %d lines, at most %d: move reference into docs/", n, readmeMaxLines)
	}
}

// docFiles are the Markdown pages whose links must resolve: the README,
// everything in docs/ and the examples' READMEs.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md", "CHANGELOG.md"}
	for _, pattern := range []string{"docs/*.md", "examples/*/README.md"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// TestDocLinks fails on a relative link, in the README or a page of
// docs/, that does not reach a file or directory of the repository, or
// whose #anchor names no heading of the Markdown page it points at.
func TestDocLinks(t *testing.T) {
	files := docFiles(t)
	if !slices.Contains(files, filepath.Join("docs", "hookgen-yaml.md")) {
		t.Fatalf("docs/hookgen-yaml.md is not among the checked pages: %v", files)
	}
	for _, f := range files {
		for _, p := range checkLinks(".", filepath.ToSlash(f)) {
			t.Error(p)
		}
	}
}

// TestCheckLinks shows that checkLinks finds each kind of broken link.
func TestCheckLinks(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		name = filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/a.md", "# A page\n\n## The sidecar's settings\n\n## Twice\n\n## Twice\n\n```\n## not a heading\n```\n")
	write("examples/x/file.yaml", "x: 1\n")
	tests := []struct {
		name, text string
		want       []string // each problem must contain this text, in order
	}{
		{"file and directory", "[a](docs/a.md) [x](examples/x) [f](examples/x/file.yaml)\n", nil},
		{"anchors", "[s](docs/a.md#the-sidecars-settings) [t](docs/a.md#twice-1) [top](#top)\n\n# Top\n", nil},
		{"external and mail", "[w](https://example.com/nothing) [m](mailto:a@example.com)\n", nil},
		{"in code", "`[a](missing.md)`\n\n```\n[b](missing.md)\n```\n", nil},
		{"missing file", "x\n[a](docs/b.md)\n", []string{`README.md:2: link docs/b.md: no such file`}},
		{"missing anchor", "[a](docs/a.md#settings)\n", []string{`README.md:1: link docs/a.md#settings: docs/a.md has no heading "settings"`}},
		{"heading in code", "[a](docs/a.md#not-a-heading)\n", []string{`no heading "not-a-heading"`}},
		{"third twice", "[a](docs/a.md#twice-2)\n", []string{`no heading "twice-2"`}},
		{"own anchor", "[a](#nowhere)\n", []string{`link #nowhere: README.md has no heading "nowhere"`}},
		{"outside", "[a](../outside.md)\n", []string{`link ../outside.md: leaves the repository`}},
		{"absolute", "[a](/etc/passwd)\n", []string{`link /etc/passwd: an absolute path; write it relative to README.md`}},
		{"anchor on a file", "[a](examples/x/file.yaml#L1)\n", []string{`link examples/x/file.yaml#L1: an anchor on a file that is not Markdown`}},
		{"two problems", "[a](nope.md) [b](docs/a.md#nope)\n", []string{"nope.md: no such file", `no heading "nope"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			write("README.md", tc.text)
			got := checkLinks(root, "README.md")
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d like %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q, want it to contain %q", got[i], w)
				}
			}
		})
	}
}

var (
	linkRE     = regexp.MustCompile(`\]\(([^()\s]+)\)`)
	codeSpanRE = regexp.MustCompile("`[^`]*`")
	headingRE  = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
)

// checkLinks returns a problem, as "file:line: link target: what", for
// each relative link of the Markdown file name (slash-separated, relative
// to root) that does not resolve inside root.
func checkLinks(root, name string) []string {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for i, line := range proseLines(string(data)) {
		for _, m := range linkRE.FindAllStringSubmatch(codeSpanRE.ReplaceAllString(line, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if p := checkLink(root, name, target); p != "" {
				problems = append(problems, fmt.Sprintf("%s:%d: link %s: %s", name, i+1, target, p))
			}
		}
	}
	return problems
}

// checkLink says what is wrong with one relative link, or "".
func checkLink(root, from, target string) string {
	file, anchor, _ := strings.Cut(target, "#")
	if strings.HasPrefix(file, "/") {
		return "an absolute path; write it relative to " + from
	}
	to := from
	if file != "" {
		to = path.Join(path.Dir(from), file)
		if to == ".." || strings.HasPrefix(to, "../") {
			return "leaves the repository"
		}
		fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(to)))
		if err != nil {
			return "no such file"
		}
		if anchor != "" && (fi.IsDir() || path.Ext(to) != ".md") {
			return "an anchor on a file that is not Markdown"
		}
	}
	if anchor == "" {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(to)))
	if err != nil {
		return err.Error()
	}
	if !slices.Contains(anchors(string(data)), anchor) {
		return fmt.Sprintf("%s has no heading %q", to, anchor)
	}
	return ""
}

// proseLines returns the file's lines with those inside fenced code
// blocks blanked, so line numbers stay right.
func proseLines(text string) []string {
	lines := strings.Split(text, "\n")
	fence := ""
	for i, l := range lines {
		trimmed := strings.TrimSpace(l)
		switch {
		case fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			fence = trimmed[:3]
			lines[i] = ""
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			lines[i] = ""
		}
	}
	return lines
}

// anchors returns the anchors GitHub gives the headings of a Markdown
// page: lowercased, punctuation dropped, spaces as hyphens, and "-1",
// "-2" after a repeated one.
func anchors(text string) []string {
	var out []string
	seen := map[string]int{}
	for _, l := range proseLines(text) {
		m := headingRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		heading := linkRE.ReplaceAllString(m[1], "]") // [text](url) counts as text
		var b strings.Builder
		for _, r := range strings.ToLower(heading) {
			switch {
			case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			out = append(out, fmt.Sprintf("%s-%d", slug, n))
		} else {
			out = append(out, slug)
		}
		seen[slug]++
	}
	return out
}

// TestReadmeExample keeps the README's example true: its hookgen.yaml,
// rendered by the built binary, gives exactly the Job the README shows
// (-update rewrites the README's copy).
func TestReadmeExample(t *testing.T) {
	readme := string(mustRead(t, "README.md"))
	const section = "\n## An example\n"
	i := strings.Index(readme, section)
	if i < 0 {
		t.Fatalf("README.md has no %q section", strings.TrimSpace(section))
	}
	blocks := yamlBlocks(readme[i:], 2)
	if len(blocks) < 2 {
		t.Fatalf("the README's example wants two YAML blocks, hookgen.yaml and its output; found %d", len(blocks))
	}
	in, out := blocks[0], blocks[1]
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hookgen.yaml"), []byte(readme[i+in[0]:i+in[1]]), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "render", "--hooks-only", "--color", "never", dir)
	cmd.Env = binaryEnv(t, "", "", nil)
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("hookgen render of the README's hookgen.yaml: %v\n%s", err, stderrOf(err))
	}
	if golden.Updating() {
		readme = readme[:i+out[0]] + string(got) + readme[i+out[1]:]
		if err := os.WriteFile("README.md", []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readme[i+out[0] : i+out[1]]; string(got) != want {
		t.Errorf("README.md's example output is not what hookgen renders for its hookgen.yaml (go test -run TestReadmeExample -update rewrites it):\n--- got\n%s--- README\n%s", got, want)
	}
}

// yamlBlocks returns the byte ranges of the bodies of the first n
// ```yaml blocks of text.
func yamlBlocks(text string, n int) [][2]int {
	var out [][2]int
	at := 0
	for len(out) < n {
		b := strings.Index(text[at:], "```yaml\n")
		if b < 0 {
			break
		}
		b += at + len("```yaml\n")
		e := strings.Index(text[b:], "\n```\n")
		if e < 0 {
			break
		}
		e += b + 1
		out = append(out, [2]int{b, e})
		at = e
	}
	return out
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
