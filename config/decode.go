package config

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// decoder fills raw structs from the generic tree produced by the TOML
// parser. Unlike a reflection decode straight into the structs, it keeps
// going after a bad value, so that one run reports every unknown key and
// every wrong type, each under its indexed path.
type decoder struct {
	p *problems
}

var (
	posType    = reflect.TypeFor[pos]()
	scalarType = reflect.TypeFor[scalar]()
)

// table decodes the TOML table m at path into the struct rv.
func (d *decoder) table(path string, m map[string]any, rv reflect.Value) {
	t := rv.Type()
	known := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == posType {
			rv.Field(i).SetString(path)
			continue
		}
		name := tomlName(f)
		if name == "" {
			continue
		}
		known[name] = true
		if v, ok := m[name]; ok {
			d.value(join(path, name), v, rv.Field(i))
		}
	}
	unknown := make([]string, 0)
	for k := range m {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		d.p.errorf(join(path, k), "unknown key%s", suggest(k, known))
	}
}

// value decodes v into the field fv.
func (d *decoder) value(path string, v any, fv reflect.Value) {
	if fv.Kind() == reflect.Pointer {
		nv := reflect.New(fv.Type().Elem())
		n := len(d.p.errs)
		d.value(path, v, nv.Elem())
		// A table with a bad key inside is kept (its other keys are still
		// validated); a scalar with a bad value stays unset.
		if len(d.p.errs) == n || nv.Elem().Kind() == reflect.Struct && !nv.Type().Implements(scalarType) {
			fv.Set(nv)
		}
		return
	}
	if fv.CanAddr() && fv.Addr().Type().Implements(scalarType) {
		if err := fv.Addr().Interface().(scalar).fromTOML(v); err != nil {
			d.p.errorf(path, "%s", err.Error())
		}
		return
	}
	switch fv.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			d.p.errorf(path, "expected a table, got %s", describe(v))
			return
		}
		d.table(path, m, fv)
	case reflect.Slice:
		elems, ok := asArray(v)
		if _, table := v.(map[string]any); !ok && table && fv.Type().Elem().Kind() == reflect.Struct {
			d.p.errorf(path, "expected an array of tables: write [[%s]], not [%[1]s]", schemaPath(path))
			return
		}
		if !ok {
			d.p.errorf(path, "expected an array, got %s", describe(v))
			return
		}
		s := reflect.MakeSlice(fv.Type(), len(elems), len(elems))
		for i, e := range elems {
			d.value(join(path, strconv.Itoa(i)), e, s.Index(i))
		}
		fv.Set(s)
	case reflect.String:
		if s, ok := v.(string); ok {
			fv.SetString(s)
			return
		}
		d.p.errorf(path, "expected a string, got %s", describe(v))
	case reflect.Bool:
		if b, ok := v.(bool); ok {
			fv.SetBool(b)
			return
		}
		d.p.errorf(path, "expected true or false, got %s", describe(v))
	case reflect.Int64:
		if n, ok := v.(int64); ok {
			fv.SetInt(n)
			return
		}
		d.p.errorf(path, "expected an integer, got %s", describe(v))
	default:
		panic("config: unsupported raw field kind " + fv.Kind().String())
	}
}

// schemaPath drops the array indexes from an indexed key path.
func schemaPath(path string) string {
	parts := strings.Split(path, ".")
	out := parts[:0]
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

func asArray(v any) ([]any, bool) {
	switch v := v.(type) {
	case []any:
		return v, true
	case []map[string]any:
		a := make([]any, len(v))
		for i := range v {
			a[i] = v[i]
		}
		return a, true
	}
	return nil, false
}

func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// suggest proposes a known key close to k (same letters ignoring
// separators and case, or one edit away).
func suggest(k string, known map[string]bool) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
	}
	best := ""
	for c := range known {
		if norm(c) == norm(k) || editDistance(c, k) <= 1 {
			if best == "" || c < best {
				best = c
			}
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
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

// schemaKeys lists every key of the schema as a dotted path without
// array indexes ("interface.ra.prefix.valid_lifetime"), tables included.
func schemaKeys() []string {
	var keys []string
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			name := tomlName(f)
			if name == "" || f.Type == posType {
				continue
			}
			if prefix == "dhcpv6.defaults" && strings.HasSuffix(f.Tag.Get("toml"), ",link") {
				continue
			}
			key := join(prefix, name)
			keys = append(keys, key)
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(scalarType) {
				walk(key, ft)
			}
		}
	}
	walk("", reflect.TypeFor[rawConfig]())
	return keys
}
