package transform_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgen/hookgen/transform"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var update = flag.Bool("update", false, "rewrite generated files (docs/templates.md) from the current templates")

// templateDocs is where the template reference is written.
const templateDocs = "../docs/templates.md"

// TestTemplateDocs checks that docs/templates.md is the reference the
// built-in templates give; with -update it writes it.
func TestTemplateDocs(t *testing.T) {
	ts, err := transform.BuiltinTemplates()
	if err != nil {
		t.Fatal(err)
	}
	got := renderTemplateDocs(ts)
	if *update {
		if err := os.MkdirAll(filepath.Dir(templateDocs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(templateDocs, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(templateDocs)
	if err != nil {
		t.Fatalf("%v (run go test ./transform -run TestTemplateDocs -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go test ./transform -run TestTemplateDocs -update", templateDocs)
	}
}

// renderTemplateDocs writes the reference of the built-in templates.
func renderTemplateDocs(ts transform.Templates) []byte {
	var b bytes.Buffer
	b.WriteString("# Built-in templates\n\n")
	b.WriteString("<!-- Generated from transform/templates/*.yaml by `go test ./transform -run TestTemplateDocs -update`. Do not edit. -->\n\n")
	b.WriteString("Every template below is embedded in the hookgen binary; a platform may\n")
	b.WriteString("replace one with its own of the same name. A hook uses one with `uses:`\n")
	b.WriteString("and sets its parameters under `with:`. The hook's own fields (`phase`,\n")
	b.WriteString("`wave`, `activeDeadlineSeconds`, `backoffLimit`, ...) override the\n")
	b.WriteString("template's defaults. Parameters of type `secretKeyRef` take\n")
	b.WriteString("`{secret: NAME, key: KEY}`, never a literal value; those of type\n")
	b.WriteString("`keyRef` take a key of a ConfigMap or of a Secret, `{configMap: NAME,\n")
	b.WriteString("key: KEY}` or `{secret: NAME, key: KEY}`, which the Job mounts read-only.\n\n")

	b.WriteString("| template | runs | phases | defaults | description |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, name := range ts.Names() {
		tmpl := ts[name]
		first, _, _ := strings.Cut(oneLine(tmpl.Spec.Description), ". ")
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s | %s. |\n", name, name, cell(runs(tmpl)), cell(phases(tmpl)), cell(defaults(tmpl)), cell(strings.TrimSuffix(first, ".")))
	}

	for _, name := range ts.Names() {
		tmpl := ts[name]
		s := tmpl.Spec
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n", name, text(oneLine(s.Description)))
		fmt.Fprintf(&b, "- runs: %s\n", runs(tmpl))
		fmt.Fprintf(&b, "- phases: %s\n", phases(tmpl))
		fmt.Fprintf(&b, "- defaults: %s\n", defaults(tmpl))
		if example := filepath.Join("..", "testdata", "template-"+name, "repo", "app", "hookgen.yaml"); fileExists(example) {
			fmt.Fprintf(&b, "- examples: [`testdata/template-%s`](../testdata/template-%s/repo/app/hookgen.yaml), with what hookgen generates in [`expected.yaml`](../testdata/template-%s/expected.yaml)\n", name, name, name)
		}
		b.WriteString("\n| parameter | type | required | default | description |\n")
		b.WriteString("| --- | --- | --- | --- | --- |\n")
		for _, p := range s.Params {
			req := ""
			if p.Required {
				req = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", p.Name, p.Type, req, cell(defaultValue(p.Default)), cell(oneLine(p.Description)))
		}
	}
	b.WriteString("\n## Fields of every hook\n\n")
	b.WriteString("Whatever its template, a hook takes these fields beside `name`, `uses`\n")
	b.WriteString("and `with`; [hookgen-yaml.md](hookgen-yaml.md#hook-fields) says how they merge.\n\n")
	b.WriteString("| field | example | what it does |\n| --- | --- | --- |\n")
	for _, f := range transform.HookFields {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", f.Name, strings.ReplaceAll(f.Example, "|", `\|`), cell(f.Text))
	}
	return b.Bytes()
}

// runs names what the template's containers run.
func runs(t *transform.HookTemplate) string {
	var job struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Image   string    `yaml:"image"`
					Command yaml.Node `yaml:"command"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	}
	if err := t.Spec.Job.Decode(&job); err != nil {
		return "?"
	}
	var out []string
	for _, c := range job.Template.Spec.Containers {
		var cmd []string
		if c.Command.Kind == yaml.SequenceNode {
			for _, item := range c.Command.Content {
				cmd = append(cmd, item.Value)
			}
		}
		image := "`" + c.Image + "`"
		if strings.HasPrefix(c.Image, "$(params.") {
			image = "the given image"
		}
		switch {
		case len(cmd) == 3 && cmd[0] == "hookgen" && cmd[1] == "run":
			out = append(out, "`hookgen run "+cmd[2]+"` (runner image)")
		case len(cmd) > 0:
			out = append(out, "`"+strings.Join(cmd, " ")+"` in "+image)
		default:
			out = append(out, image)
		}
	}
	return strings.Join(out, ", ")
}

func phases(t *transform.HookTemplate) string {
	if len(t.Spec.Phases) == 0 {
		return "all"
	}
	return strings.Join(t.Spec.Phases, ", ")
}

// defaults lists the template's defaults for a hook's fields, and
// hookgen's own where the template sets none.
func defaults(t *transform.HookTemplate) string {
	d := t.Spec.Defaults
	if d == nil {
		d = &transform.TemplateDefaults{}
	}
	var out []string
	if len(d.Phase) > 0 {
		out = append(out, "phase "+strings.Join(d.Phase, ", "))
	}
	if d.Wave != nil {
		out = append(out, fmt.Sprintf("wave %d", *d.Wave))
	}
	deadline, backoff := int64(transform.DefaultActiveDeadlineSeconds), int32(transform.DefaultBackoffLimit)
	if d.ActiveDeadlineSeconds != nil {
		deadline = *d.ActiveDeadlineSeconds
	}
	if d.BackoffLimit != nil {
		backoff = *d.BackoffLimit
	}
	out = append(out, fmt.Sprintf("activeDeadlineSeconds %d", deadline), fmt.Sprintf("backoffLimit %d", backoff))
	if len(d.DeletePolicy) > 0 {
		out = append(out, "deletePolicy "+strings.Join(d.DeletePolicy, ", "))
	}
	if d.GenerateName != nil && *d.GenerateName {
		out = append(out, "generateName")
	}
	if d.TTLSecondsAfterFinished != nil {
		out = append(out, fmt.Sprintf("ttlSecondsAfterFinished %d", *d.TTLSecondsAfterFinished))
	}
	return strings.Join(out, ", ")
}

// defaultValue writes a parameter's default as inline YAML.
func defaultValue(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if n.Kind == yaml.ScalarNode {
		return "`" + n.Value + "`"
	}
	c := *n
	c.Style = yaml.FlowStyle
	out, err := yaml.Marshal(&c)
	if err != nil {
		return "?"
	}
	return "`" + strings.TrimSpace(string(out)) + "`"
}

// oneLine joins a description's lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cell makes text safe inside a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(text(s), "|", `\|`) }

// text keeps <app> and the like from being read as HTML.
func text(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// TestDocNotificationsExample checks that docs/notifications.md ("Before
// and after") shows examples/notifications/hookgen.yaml as it is.
func TestDocNotificationsExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/notifications.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../examples/notifications/hookgen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte("```yaml\n"+string(example)+"```\n")) {
		t.Fatal("docs/notifications.md does not show examples/notifications/hookgen.yaml as it is: copy the file into its YAML block")
	}
}
