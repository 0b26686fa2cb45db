package subst

import (
	"strings"
	"testing"

	"github.com/hookgen/hookgen/internal/hookspec"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func testScope() *Scope {
	return &Scope{
		App:    hookspec.App{Name: "shop", Namespace: "prod", Revision: "abc1234def", RevisionShort: "abc1234"},
		Hook:   map[string]string{"name": "notify", "phase": "PostSync", "outcome": "succeeded"},
		Env:    map[string]string{"TEAM": "checkout", "EMPTY": "", "TRICKY": "$(app.name) {a: b}"},
		Runner: "ghcr.io/hookgen/hookgen:v1",
		Params: map[string]*ParamValue{
			"list":  {Typ: hookspec.ParamList, Node: yamlio.NewSeq(yamlio.NewStr("a"), yamlio.NewStr("b"))},
			"count": {Typ: hookspec.ParamInt, Node: yamlio.NewInt(3)},
			"ref":   {Typ: hookspec.ParamSecretKeyRef, Node: yamlio.NewMap("secret", yamlio.NewStr("s"), "key", yamlio.NewStr("k"))},
			"unset": {Typ: hookspec.ParamString},
			"text":  {Typ: hookspec.ParamString, Node: yamlio.NewStr("$(app.name) -- not expanded twice")},
		},
	}
}

func TestSubstituteText(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "$(app.name)-$(hook.phase)", want: "shop-PostSync"},
		{in: "ns=$(app.namespace) rev=$(app.revisionShort)", want: "ns=prod rev=abc1234"},
		{in: "team $(env.TEAM), empty [$(env.EMPTY)]", want: "team checkout, empty []"},
		{in: "img $(runner.image)", want: "img ghcr.io/hookgen/hookgen:v1"},
		{in: "count=$(params.count) key=$(params.ref.key)", want: "count=3 key=k"},
		{in: "unset=[$(params.unset)]", want: "unset=[]"},
		{in: "kube $(VAR) stays", want: "kube $(VAR) stays"},
		{in: "kube escape $$(VAR) stays", want: "kube escape $$(VAR) stays"},
		{in: "ours $$(app.name) is literal", want: "ours $(app.name) is literal"},
		{in: "$(params.text)!", want: "$(app.name) -- not expanded twice!"},
		{in: "env is data: $(env.TRICKY)", want: "env is data: $(app.name) {a: b}"},
		{in: "dollar $ alone, $(, and $( x", want: "dollar $ alone, $(, and $( x"},
		{in: "$(app.nam)", err: `unknown placeholder $(app.nam) (did you mean "name"?)`},
		{in: "$(hook.stage)", err: "unknown placeholder $(hook.stage)"},
		{in: "$(env.NOPE)", err: "the Application sets no plugin env NOPE"},
		{in: "$(runner.tag)", err: "unknown placeholder $(runner.tag)"},
		{in: "$(params.nope)", err: "unknown parameter in $(params.nope)"},
		{in: "$(params.count.x)", err: `parameter "count" is a int and has no fields`},
		{in: "$(params.ref.name)", err: `parameter "ref" has no field "name"`},
		{in: "x $(params.list) y", err: "is a list and can only stand alone"},
		{in: "$(app.name", err: "unterminated placeholder"},
		{in: "$(app.na me)", err: "malformed placeholder"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			s := &Subster{Scope: testScope()}
			n := yamlio.NewStr(tc.in)
			out := s.Tree(n)
			if tc.err != "" {
				if len(s.Errs) == 0 || !strings.Contains(s.Errs[0].Msg, tc.err) {
					t.Fatalf("errors %v, want one containing %q", s.Errs, tc.err)
				}
				return
			}
			if len(s.Errs) > 0 {
				t.Fatalf("unexpected errors: %v", s.Errs)
			}
			if out.Value != tc.want || out.ShortTag() != yamlio.TagStr {
				t.Fatalf("got %q (%s), want %q", out.Value, out.ShortTag(), tc.want)
			}
		})
	}
}

// TestSubstituteTree checks lone placeholders: they take the value's whole
// node, an unset optional one removes its key or item, quoting asks for text.
func TestSubstituteTree(t *testing.T) {
	in := `
list: $(params.list)
count: $(params.count)
quoted: "$(params.count)"
ref: $(params.ref)
gone: $(params.unset)
items: [a, $(params.unset), $(app.name)]
keep: $(KUBE)
`
	want := `list:
- a
- b
count: 3
quoted: "3"
ref:
  secret: s
  key: k
items: [a, shop]
keep: $(KUBE)
`
	checkTree(t, testScope(), in, want)
}

// TestSubstituteNoInjection checks that a value can neither add structure
// nor a second placeholder pass.
func TestSubstituteNoInjection(t *testing.T) {
	sc := testScope()
	sc.Params["evil"] = &ParamValue{Typ: hookspec.ParamString, Node: yamlio.NewStr("x\nkind: Secret\n$(runner.image)")}
	s := &Subster{Scope: sc}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: $(params.evil)\nb: pre-$(params.evil)\n"), &doc); err != nil {
		t.Fatal(err)
	}
	out := s.Tree(doc.Content[0])
	if len(out.Content) != 4 {
		t.Fatalf("the mapping changed shape: %d nodes", len(out.Content))
	}
	for _, v := range []*yaml.Node{out.Content[1], out.Content[3]} {
		if v.Kind != yaml.ScalarNode || !strings.Contains(v.Value, "$(runner.image)") {
			t.Fatalf("value %q: the placeholder inside a value was expanded or the value lost its text", v.Value)
		}
	}
	var b strings.Builder
	yamlio.EncodeNode(&b, out)
	var back yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Content[0].Content) != 4 || yamlio.MapGet(back.Content[0], "kind") != nil {
		t.Fatalf("the encoded output gained structure:\n%s", b.String())
	}
}

// TestSubstituteRepeat checks $(params.x[*]): the nearest list item that
// holds it is repeated once per element, and dropped when there is none.
func TestSubstituteRepeat(t *testing.T) {
	sc := testScope()
	sc.Params["headers"] = &ParamValue{Typ: hookspec.ParamMap, Node: yamlio.NewMap("X-Team", yamlio.NewStr("payments"), "Accept", yamlio.NewStr("*/*"))}
	sc.Params["empty"] = &ParamValue{Typ: hookspec.ParamList, Node: yamlio.NewSeq()}
	sc.Params["nomap"] = &ParamValue{Typ: hookspec.ParamMap}
	sc.Params["noref"] = &ParamValue{Typ: hookspec.ParamSecretKeyRef}
	sc.Params["mounts"] = &ParamValue{Typ: hookspec.ParamList, Node: yamlio.NewSeq(yamlio.NewMap("name", yamlio.NewStr("a")), yamlio.NewMap("name", yamlio.NewStr("b")))}
	in := `
args:
- --fixed
- --to=$(params.list[*])
- --count=$(params.count[*])
- --unset=$(params.unset[*])
- --none=$(params.empty[*])
- "--header=$(params.headers[*].key): $(params.headers[*].value)"
- --nomap=$(params.nomap[*].key)
- --app=$(app.name) --item=$(params.list[*])
- $$(params.list[*]) is literal
env:
- name: PASSWORD
  valueFrom:
    secretKeyRef:
      name: $(params.ref[*].secret)
      key: $(params.ref[*].key)
- name: GONE
  valueFrom:
    secretKeyRef:
      name: $(params.noref[*].secret)
      key: $(params.noref[*].key)
nested:
- name: c
  args: ["--x=$(params.list[*])"]
mounts:
- $(params.mounts[*])
`
	want := `args:
- --fixed
- --to=a
- --to=b
- --count=3
- "--header=Accept: */*"
- "--header=X-Team: payments"
- --app=shop --item=a
- --app=shop --item=b
- $(params.list[*]) is literal
env:
- name: PASSWORD
  valueFrom:
    secretKeyRef:
      name: s
      key: k
nested:
- name: c
  args: ["--x=a", "--x=b"]
mounts:
- name: a
- name: b
`
	checkTree(t, sc, in, want)
}

// checkTree substitutes sc into the YAML in and compares the encoded
// result with want; any substitution error fails the test.
func checkTree(t *testing.T, sc *Scope, in, want string) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(in), &doc); err != nil {
		t.Fatal(err)
	}
	s := &Subster{Scope: sc}
	out := s.Tree(doc.Content[0])
	if len(s.Errs) > 0 {
		t.Fatalf("errors: %v", s.Errs)
	}
	var b strings.Builder
	if err := yamlio.EncodeNode(&b, out); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestSubstituteRepeatErrors(t *testing.T) {
	sc := testScope()
	sc.Params["headers"] = &ParamValue{Typ: hookspec.ParamMap, Node: yamlio.NewMap("X-Team", yamlio.NewStr("payments"))}
	sc.Params["empty"] = &ParamValue{Typ: hookspec.ParamList, Node: yamlio.NewSeq()}
	for _, tc := range []struct{ in, err string }{
		{in: "a: $(params.list[*])", err: "use it in an item of a list"},
		{in: "a:\n- --x=$(params.list[*]) $(params.count[*])", err: "repeats for one parameter only; this one uses $(params.count[*]) and $(params.list[*])"},
		{in: "a:\n- $(params.nope[*])", err: "unknown parameter in $(params.nope[*])"},
		{in: "a:\n- $(params.headers[*])", err: "use $(params.headers[*].key) and $(params.headers[*].value)"},
		{in: "a:\n- $(params.ref[*])", err: "use $(params.ref[*].secret) and $(params.ref[*].key)"},
		{in: "a:\n- $(params.list[*].name)", err: `the elements of list parameter "list" have no fields`},
		{in: "a:\n- x $(params.list[*]) $(app.nam)", err: "unknown placeholder $(app.nam)"},
		// An empty list still has its item checked.
		{in: "a:\n- x $(params.empty[*]) $(app.nam)", err: "unknown placeholder $(app.nam)"},
		{in: "a:\n- $(params.list[*]x)", err: "malformed placeholder"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.in), &doc); err != nil {
				t.Fatal(err)
			}
			s := &Subster{Scope: sc}
			s.Tree(doc.Content[0])
			if len(s.Errs) == 0 || !strings.Contains(s.Errs[0].Msg, tc.err) {
				t.Fatalf("errors %v, want one containing %q", s.Errs, tc.err)
			}
		})
	}
	// Outside a template's job, params.* is refused as before.
	s := &Subster{Scope: &Scope{}}
	s.Tree(yamlio.NewSeq(yamlio.NewStr("$(params.list[*])")))
	if len(s.Errs) == 0 || !strings.Contains(s.Errs[0].Msg, "parameters can only be used in a template's job") {
		t.Fatalf("errors %v", s.Errs)
	}
}
