package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/golden"
)

// cliDoc is docs/cli.md: every command's --help, from the command table.
func cliDoc(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("# hookgen command reference\n\n")
	b.WriteString("Every command's `--help`, as `hookgen help COMMAND` prints it. This file is\n")
	b.WriteString("generated: `go test ./plugin -run TestCLIDoc -update` rewrites it.\n\n")
	var top bytes.Buffer
	usage(&top)
	b.WriteString("```\n" + top.String() + "```\n")
	for _, name := range commandNames() {
		var stdout, stderr bytes.Buffer
		if code := Main([]string{name, "--help"}, nil, &stdout, &stderr); code != ExitOK {
			t.Fatalf("%s --help: exit %d", name, code)
		}
		b.WriteString("\n## hookgen " + name + "\n\n" + commands[name].summary + ".\n\n```\n" + strings.TrimRight(stdout.String(), "\n") + "\n```\n")
	}
	return b.Bytes()
}

// TestCLIDoc keeps docs/cli.md what the commands' help says.
func TestCLIDoc(t *testing.T) {
	file := filepath.Join("..", "docs", "cli.md")
	got := cliDoc(t)
	if golden.Updating() {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./plugin -run TestCLIDoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/cli.md is not what the commands' help says (run go test ./plugin -run TestCLIDoc -update):\n%s", diff(string(want), string(got)))
	}
}
