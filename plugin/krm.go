package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hookgen/hookgen/internal/argocd"
	"github.com/hookgen/hookgen/transform"
)

const krmHelp = `Usage: hookgen krm < resource-list.yaml

Run hookgen as a kustomize function (KRM function). It reads a
ResourceList on stdin whose functionConfig is a HookSet (hookgen.yaml's
content, with metadata), generates the hooks' Jobs exactly as "generate"
does, and writes the ResourceList back with the Jobs appended to its
items. On problems the items stay as they were, the problems go to the
ResourceList's results and to stderr, and the exit code is 1.

In a kustomization, list the HookSet under generators (or transformers)
and let kustomize run hookgen as an exec function:

  # kustomization.yaml
  resources: [deployment.yaml]
  generators: [hooks.yaml]

  # hooks.yaml
  apiVersion: hookgen.dev/v1alpha1
  kind: HookSet
  metadata:
    name: hooks
    annotations:
      config.kubernetes.io/function: |
        exec:
          path: /usr/local/bin/hookgen
          args: [krm]
  hooks:
    - {name: migrate, uses: migration, with: {image: "ghcr.io/acme/api:1.8.2"}}

  kustomize build --enable-alpha-plugins --enable-exec .

kustomize runs an exec function with the arguments the annotation gives
and no others, and tells it nothing through the environment. Where args
cannot be given, start hookgen under the name hookgen-krm (a symlink):
with no arguments, that name means krm.

$(app.*) and $(env.*) come from Argo CD's variables (ARGOCD_APP_*,
ARGOCD_ENV_*) when kustomize runs with them, and are empty otherwise.
Platform templates and policy come from $HOOKGEN_CONFIG_DIR, as for
generate; repository templates and parent hookgen.yaml files are not read.

Examples:
  kustomize build --enable-alpha-plugins --enable-exec apps/api
  ln -s "$(command -v hookgen)" /usr/local/bin/hookgen-krm

Flags:
`

// KRMName is the name under which hookgen, started with no arguments, runs
// as a KRM function.
const KRMName = "hookgen-krm"

// stdin is what krm reads; tests replace it.
var stdin io.Reader = os.Stdin

// calledAsKRM reports whether the process was started as hookgen-krm.
func calledAsKRM() bool {
	return len(os.Args) > 0 && strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == KRMName
}

func runKRM(_ context.Context, args []string, env Env, stdout, stderr io.Writer) int {
	fl := helpOnly("krm")()
	if code, ok := parseFlags("krm", krmHelp, fl, args, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() > 0 {
		return usageError(stderr, "krm", fmt.Errorf("unexpected argument %q: the ResourceList comes on stdin", fl.Arg(0)))
	}
	cfg, _, closeCfg, err := argocd.OpenConfig("", env)
	if err != nil {
		fmt.Fprintf(stderr, "hookgen krm: %v\n", err)
		return ExitProblems
	}
	defer closeCfg()
	rw := &kio.ByteReadWriter{Reader: stdin, Writer: stdout, KeepReaderAnnotations: true}
	items, err := rw.Read()
	if err != nil {
		fmt.Fprintf(stderr, "hookgen krm: read the ResourceList: %v\n", err)
		return ExitProblems
	}
	if rw.WrappingKind != kio.ResourceListKind {
		fmt.Fprintf(stderr, "hookgen krm: stdin is not a ResourceList (kind %s, apiVersion %s); kustomize and other KRM runners send one\n", kio.ResourceListKind, kio.ResourceListAPIVersion)
		return ExitProblems
	}
	jobs, err := krmJobs(rw.FunctionConfig, cfg, argocd.Context(env, buildTag()))
	if err != nil {
		// As the KRM function spec asks: the items unchanged, the problems
		// as results, and a failing exit code.
		results := yaml.NewListRNode()
		for _, pr := range problemsOf(err) {
			fmt.Fprintf(stderr, "hookgen krm: %s\n", pr.Error())
			r := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				yaml.NewStringRNode("message").YNode(), yaml.NewStringRNode(pr.Error()).YNode(),
				yaml.NewStringRNode("severity").YNode(), yaml.NewStringRNode("error").YNode(),
			}}
			results.YNode().Content = append(results.YNode().Content, r)
		}
		rw.Results = results
		if werr := rw.Write(items); werr != nil {
			fmt.Fprintf(stderr, "hookgen krm: write the ResourceList: %v\n", werr)
		}
		return ExitProblems
	}
	if err := rw.Write(append(items, jobs...)); err != nil {
		fmt.Fprintf(stderr, "hookgen krm: write the ResourceList: %v\n", err)
		return ExitProblems
	}
	return ExitOK
}

// krmJobs generates the Jobs of the HookSet in a function config: the
// config without its KRM metadata is the only hookgen.yaml of an
// otherwise empty repository.
func krmJobs(fc *yaml.RNode, cfg fs.FS, ctx transform.Context) ([]*yaml.RNode, error) {
	if fc == nil || fc.YNode().Kind != yaml.MappingNode {
		return nil, errors.New("the ResourceList has no functionConfig: give the HookSet as the function's config")
	}
	name := fc.GetName()
	spec := fc.Copy()
	if err := spec.PipeE(yaml.Clear("metadata")); err != nil {
		return nil, err
	}
	text, err := spec.String()
	if err != nil {
		return nil, err
	}
	data := []byte(text)
	in := transform.Input{
		Repo:    fstest.MapFS{transform.SpecFile: &fstest.MapFile{Data: data, Mode: 0o644}},
		AppDir:  ".",
		Config:  cfg,
		Context: ctx,
	}
	res, err := transform.Run(in)
	if err != nil {
		// Lines of the config as kustomize passed it on mean nothing to
		// its author: name the HookSet instead.
		var ps transform.Problems
		if errors.As(err, &ps) {
			for i := range ps {
				if ps[i].Pos.File == transform.SpecFile {
					ps[i].Pos = transform.Pos{File: "HookSet " + name}
				}
			}
			return nil, ps
		}
		return nil, err
	}
	out := make([]*yaml.RNode, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		out = append(out, yaml.NewRNode(j.Node))
	}
	return out, nil
}
