package tools_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/test/internal/tools"
)

func TestLookupMissingNamesBuildCommand(t *testing.T) {
	t.Setenv(tools.EnvBin, "")
	_, err := tools.Lookup(tools.KubeAPIServer)
	if !errors.Is(err, tools.ErrMissing) {
		t.Fatalf("err = %v, want ErrMissing", err)
	}
	if !strings.Contains(err.Error(), "test/tools/build.sh kube") {
		t.Errorf("error does not name the build command: %v", err)
	}

	dir := t.TempDir()
	t.Setenv(tools.EnvBin, dir)
	_, err = tools.Lookup(tools.RedisServer)
	if !errors.Is(err, tools.ErrMissing) || !strings.Contains(err.Error(), "test/tools/build.sh redis") {
		t.Errorf("err = %v", err)
	}
	if _, err := tools.Lookup("no-such-tool"); err == nil || errors.Is(err, tools.ErrMissing) {
		t.Errorf("unknown tool: err = %v", err)
	}
}

func TestLookupFindsExecutable(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real-etcd")
	if err := os.WriteFile(target, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, tools.Etcd)); err != nil {
		t.Fatal(err)
	}
	t.Setenv(tools.EnvBin, dir)
	p, err := tools.Lookup(tools.Etcd)
	if err != nil || p != filepath.Join(dir, tools.Etcd) {
		t.Errorf("Lookup = %q, %v", p, err)
	}
}

func TestBuildCommand(t *testing.T) {
	got := tools.BuildCommand(tools.KubeAPIServer, tools.KubeScheduler, tools.ArgoCDV3)
	if want := `eval "$(test/tools/build.sh argocd-v3 kube)"`; got != want {
		t.Errorf("BuildCommand = %s, want %s", got, want)
	}
}

// Every binary build.sh links must be available when HOOKGEN_TOOLS_BIN is
// set; a missing one fails here with its build command.
func TestAllToolsPresent(t *testing.T) {
	if os.Getenv(tools.EnvBin) == "" {
		t.Fatalf("%s is not set; build the tools from the repository root with: %s", tools.EnvBin, tools.BuildCommand(tools.Names()...))
	}
	tools.Paths(t, tools.Names()...)
}

func TestBuildHookgen(t *testing.T) {
	dir := tools.BuildHookgen(t)
	fi, err := os.Stat(filepath.Join(dir, "hookgen"))
	if err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("hookgen binary: %v %v", fi, err)
	}
}
