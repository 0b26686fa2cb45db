package hookspec

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hookgen/hookgen/internal/lazyre"
	"github.com/hookgen/hookgen/internal/problem"
	"github.com/hookgen/hookgen/internal/yamlio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// A strict decoder from YAML nodes into the spec's Go types.
//
// The Go types (HookSet, Hook, HookTemplate, ...) are the single description
// of the file formats: their json tags name the fields, the JSON Schema is
// generated from them, and this decoder reads them. It differs from
// yaml.Node.Decode in what users see: unknown fields, wrong types and
// duplicate keys are reported with file, line, the hook they belong to and
// the field's name (never Go type names), all at once rather than the first
// only, and the position of every field is kept for later messages.

// Source records where a decoded struct came from. A struct type that has a
// field `src source` gets it filled: its own position and the position of
// each of its fields, keyed by the field path relative to the struct
// ("activeDeadlineSeconds", "podLabels.team"), and the position of the
// key of each of its own fields ("with:" rather than what follows it).
type Source struct {
	Pos    problem.Pos
	Fields map[string]problem.Pos
	keys   map[string]problem.Pos
}

// KeyAt returns the position of a field's key, falling back to the
// struct's own.
func (s Source) KeyAt(field string) problem.Pos {
	if p, ok := s.keys[field]; ok {
		return p
	}
	return s.Pos
}

// At returns the position of a field path, falling back to the struct's own.
func (s Source) At(path string) problem.Pos {
	if p, ok := s.Fields[path]; ok {
		return p
	}
	return s.Pos
}

// Has reports whether the field path was written in the file.
func (s Source) Has(path string) bool {
	_, ok := s.Fields[path]
	return ok
}

// sourced is implemented by the types with a source record.
type sourced interface{ SetSource(Source) }

func (s *HookSet) SetSource(src Source)          { s.Src = src }
func (s *Defaults) SetSource(src Source)         { s.Src = src }
func (s *Hook) SetSource(src Source)             { s.Src = src }
func (s *EnvVar) SetSource(src Source)           { s.Src = src }
func (s *HookTemplate) SetSource(src Source)     { s.Src = src }
func (s *TemplateSpec) SetSource(src Source)     { s.Src = src }
func (s *TemplateDefaults) SetSource(src Source) { s.Src = src }
func (s *Param) SetSource(src Source)            { s.Src = src }
func (r *AnnotateRule) SetSource(src Source)     { r.Src = src }

// fieldHinter is implemented by types that say where a field they do not
// take belongs ("hostAliases is a pod field: ...").
type fieldHinter interface{ UnknownFieldHint(name string) string }

// nodeDecoder is implemented by types with their own YAML form.
type nodeDecoder interface {
	decodeNode(d *Decoder, n *yaml.Node, path string)
}

type Decoder struct {
	File string
	Hook string // for messages about a hook's fields
	Ps   *problem.Collector
}

// Pos is where n is, in the file being decoded.
func (d *Decoder) Pos(n *yaml.Node) problem.Pos {
	return problem.Pos{File: d.File, Line: n.Line, Col: n.Column}
}

// Errorf records a problem at n.
func (d *Decoder) Errorf(n *yaml.Node, format string, args ...any) {
	d.Ps.Add(d.Pos(n), d.Hook, format, args...)
}

var (
	NodeType    = reflect.TypeOf((*yaml.Node)(nil))
	stringType  = reflect.TypeOf("")
	decoderType = reflect.TypeOf((*nodeDecoder)(nil)).Elem()
)

// Decode reads n into the value v points to. path names the field in
// messages ("hooks[0].with"); src is the nearest enclosing source record and
// rel the field path relative to it.
func (d *Decoder) Decode(n *yaml.Node, v reflect.Value, path string, src *Source, rel string) {
	if src != nil && rel != "" {
		src.Fields[rel] = d.Pos(n)
	}
	if v.Type() == NodeType {
		if !yamlio.IsNull(n) {
			v.Set(reflect.ValueOf(n))
		}
		return
	}
	if v.Addr().Type().Implements(decoderType) {
		v.Addr().Interface().(nodeDecoder).decodeNode(d, n, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		d.decodePointer(n, v, path, src, rel)
	case reflect.String:
		if s, ok := d.Scalar(n, path, yamlio.TagStr); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		if s, ok := d.Scalar(n, path, yamlio.TagBool); ok {
			b, _ := strconv.ParseBool(s)
			v.SetBool(b)
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		if s, ok := d.Scalar(n, path, yamlio.TagInt); ok {
			i, err := strconv.ParseInt(s, 0, v.Type().Bits())
			if err != nil {
				d.Errorf(n, "%s: %s is out of range", fieldName(path), s)
				return
			}
			v.SetInt(i)
		}
	case reflect.Slice:
		d.decodeSlice(n, v, path, src, rel)
	case reflect.Map:
		d.decodeMap(n, v, path, src, rel)
	case reflect.Struct:
		d.decodeStruct(n, v, path, src, rel)
	default:
		panic(fmt.Sprintf("transform: no YAML decoding for %s", v.Type()))
	}
}

// decodePointer reads n into a new value for the pointer v, leaving v nil
// when n is null or a scalar in it did not decode.
func (d *Decoder) decodePointer(n *yaml.Node, v reflect.Value, path string, src *Source, rel string) {
	if yamlio.IsNull(n) {
		return
	}
	p := reflect.New(v.Type().Elem())
	before := len(d.Ps.List)
	d.Decode(n, p.Elem(), path, src, rel)
	switch p.Elem().Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64:
		if len(d.Ps.List) > before {
			// A value that did not decode stays unset: checks of what
			// it says would only repeat the problem.
			return
		}
	}
	v.Set(p)
}

// collection reports whether n is a collection of kind, to decode into
// the field at path: a null is none (nothing to decode), and any other
// node a problem.
func (d *Decoder) collection(n *yaml.Node, kind yaml.Kind, path string) bool {
	if n.Kind == kind {
		return true
	}
	if !yamlio.IsNull(n) {
		what := "a mapping"
		if kind == yaml.SequenceNode {
			what = "a list"
		}
		d.Errorf(n, "%s must be %s, not %s", fieldName(path), what, yamlio.KindName(n))
	}
	return false
}

// decodeSlice reads the sequence n into the slice v, item by item.
func (d *Decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string, src *Source, rel string) {
	if !d.collection(n, yaml.SequenceNode, path) {
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.Decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), src, joinRel(rel, strconv.Itoa(i)))
	}
	v.Set(s)
}

// decodeMap reads the mapping n into the map v, entry by entry.
func (d *Decoder) decodeMap(n *yaml.Node, v reflect.Value, path string, src *Source, rel string) {
	if !d.collection(n, yaml.MappingNode, path) {
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.Errorf(k, "%s: keys must be strings", fieldName(path))
			continue
		}
		e := reflect.New(v.Type().Elem()).Elem()
		if e.Type() == stringType && val.Kind == yaml.ScalarNode && !yamlio.IsNull(val) {
			// Label-like maps take any scalar as its text: `version: 2` means "2".
			e.SetString(val.Value)
			if src != nil {
				src.Fields[joinRel(rel, k.Value)] = d.Pos(val)
			}
		} else {
			d.Decode(val, e, path+"."+k.Value, src, joinRel(rel, k.Value))
		}
		m.SetMapIndex(reflect.ValueOf(k.Value), e)
	}
	v.Set(m)
}

func joinRel(rel, key string) string {
	if rel == "" {
		return key
	}
	return rel + "." + key
}

// fieldName turns a decoder path into what a user reads: the last element.
func fieldName(path string) string {
	if i := strings.LastIndexAny(path, "."); i >= 0 {
		path = path[i+1:]
	}
	return fmt.Sprintf("%q", path)
}

// Scalar checks that n is a scalar of the wanted tag.
func (d *Decoder) Scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == want {
		return n.Value, true
	}
	wantName := map[string]string{yamlio.TagStr: "a string", yamlio.TagBool: "true or false", yamlio.TagInt: "an integer"}[want]
	hint := ""
	if want == yamlio.TagStr && n.Kind == yaml.ScalarNode {
		hint = "; quote it"
	}
	d.Errorf(n, "%s must be %s, not %s%s", fieldName(path), wantName, yamlio.KindName(n), hint)
	return "", false
}

// structFields lists the YAML fields of a struct type, following embedded
// structs the way encoding/json does.
type structField struct {
	Name  string
	index []int
}

// StructFields lists the fields of t a document may set, by their json names.
func StructFields(t reflect.Type) []structField {
	var out []structField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for _, sf := range StructFields(f.Type) {
				out = append(out, structField{Name: sf.Name, index: append([]int{i}, sf.index...)})
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, structField{Name: name, index: []int{i}})
	}
	return out
}

var fieldCache sync.Map // reflect.Type -> []structField

func (d *Decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string, src *Source, rel string) {
	if !d.collection(n, yaml.MappingNode, path) {
		return
	}
	// A struct with its own source record starts a new relative path.
	if sr, ok := v.Addr().Interface().(sourced); ok {
		own := &Source{Pos: d.Pos(n), Fields: map[string]problem.Pos{}, keys: map[string]problem.Pos{}}
		defer sr.SetSource(*own)
		src, rel = own, ""
	}
	var fields []structField
	if f, ok := fieldCache.Load(v.Type()); ok {
		fields = f.([]structField)
	} else {
		fields = StructFields(v.Type())
		fieldCache.Store(v.Type(), fields)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		var f *structField
		for j := range fields {
			if fields[j].Name == k.Value {
				f = &fields[j]
				break
			}
		}
		if f == nil {
			names := make([]string, len(fields))
			for j, sf := range fields {
				names[j] = sf.Name
			}
			hint := Suggest(k.Value, names)
			if h, ok := v.Addr().Interface().(fieldHinter); ok {
				if s := h.UnknownFieldHint(k.Value); s != "" {
					hint = ": " + s
				}
			}
			d.Errorf(k, "unknown field %q%s", k.Value, hint)
			continue
		}
		if src != nil && rel == "" {
			src.keys[f.Name] = d.Pos(k)
		}
		d.Decode(val, v.FieldByIndex(f.index), path+"."+f.Name, src, joinRel(rel, f.Name))
	}
}

// Suggest returns ` (did you mean "x"?)` for the known name closest to
// got, or ` (known: a, b, c)` when nothing is close: the hint every
// "unknown name" message of hookgen ends with.
func Suggest(got string, known []string) string {
	best, bestDist := "", math.MaxInt
	for _, k := range known {
		if dist := editDistance(strings.ToLower(got), strings.ToLower(k)); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" && bestDist <= max(2, len(got)/3) {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	for _, k := range known {
		if len(got) >= 4 && strings.HasPrefix(strings.ToLower(k), strings.ToLower(got)) {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return fmt.Sprintf(" (known: %s)", strings.Join(sorted, ", "))
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// StringList is a string or a list of strings in YAML ("phase: PreSync" or
// "phase: [PostSync, SyncFail]"); a single string may also be
// comma-separated, as Argo CD's own annotations are.
type StringList []string

func (l *StringList) decodeNode(d *Decoder, n *yaml.Node, path string) {
	switch {
	case yamlio.IsNull(n):
	case n.Kind == yaml.ScalarNode && n.ShortTag() == yamlio.TagStr:
		for _, part := range strings.Split(n.Value, ",") {
			if p := strings.TrimSpace(part); p != "" {
				*l = append(*l, p)
			}
		}
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			if s, ok := d.Scalar(item, path, yamlio.TagStr); ok {
				*l = append(*l, s)
			}
		}
	default:
		d.Errorf(n, "%s must be a string or a list of strings, not %s", fieldName(path), yamlio.KindName(n))
	}
}

// Quantity is a Kubernetes resource quantity ("500m", "128Mi", 2).
type Quantity string

// QuantityPattern is the regular expression a Quantity written as text
// must match (the JSON Schema uses it too).
const QuantityPattern = `^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[kMGTPE]i?|m|)$`

var QuantityRE = lazyre.New(QuantityPattern)

func (q *Quantity) decodeNode(d *Decoder, n *yaml.Node, path string) {
	if n.Kind != yaml.ScalarNode || yamlio.IsNull(n) || n.ShortTag() == yamlio.TagBool {
		d.Errorf(n, "%s must be a quantity such as 500m or 128Mi, not %s", fieldName(path), yamlio.KindName(n))
		return
	}
	if !QuantityRE.MatchString(n.Value) {
		d.Errorf(n, "%s: %q is not a Kubernetes quantity (such as 500m, 1, 128Mi)", fieldName(path), n.Value)
		return
	}
	*q = Quantity(n.Value)
}
