package main

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"
)

// checkYAMLTypes compares a configuration document with Config's types
// before it is decoded, so that a value of the wrong type is an error that
// names the key and the line ("line 4: audit.retention_days: want a whole
// number, got `1.5`"). The YAML decoder alone named neither for custom
// types (durations, sizes), printed Go type names, and quietly truncated
// 1.5 to 1 for an integer. Unknown keys and syntax errors are left to the
// decoder, which reports them.
func checkYAMLTypes(b []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil || len(doc.Content) == 0 {
		return nil // syntax errors and empty documents: the decoder says
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping of settings (listen: …, cache: …), got %s", root.Line, describeNode(root))
	}
	var errs []error
	checkNode(root, reflect.TypeOf(Config{}), "", &errs)
	return errors.Join(errs...)
}

var (
	textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	yamlUnmarshaler = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
)

// checkNode checks n against t (the Go type it decodes into), appending
// one error per misfit to errs. path is n's dotted key.
func checkNode(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value keeps the default
	}
	fail := func(format string, args ...any) {
		*errs = append(*errs, fmt.Errorf("line %d: %s: %s", n.Line, path, fmt.Sprintf(format, args...)))
	}
	pt := reflect.PointerTo(t)
	switch {
	case pt.Implements(yamlUnmarshaler) && (n.Kind == yaml.ScalarNode || t.Kind() != reflect.Struct):
		// A custom form (a duration, "pypi:requests" for a list entry); a
		// mapping for a struct is checked field by field below.
		if n.Kind != yaml.ScalarNode {
			fail("want a single value, got %s", describeNode(n))
			return
		}
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			fail("%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("line %d: ", n.Line)))
		}
		return
	case pt.Implements(textUnmarshaler):
		if n.Kind != yaml.ScalarNode {
			fail("want a single value, got %s", describeNode(n))
			return
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			fail("%v", err)
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		checkNode(n, t.Elem(), path, errs)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			fail("want a mapping of settings (%s), got %s", fieldNames(t), describeNode(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			f, ok := fieldByTag(t, k)
			if !ok {
				// The decoder reports unknown keys of Config's own structs
				// but not inside a type that decodes itself (an allow
				// entry's `version:` for `versions:` would allow every
				// version), so every unknown key is reported here.
				msg := fmt.Sprintf("line %d: unknown key %s", n.Content[i].Line, joinPath(path, k))
				if near := nearestKey(k, t); near != "" {
					msg += " (did you mean " + near + "?)"
				} else {
					msg += " (deploy/config.example.yaml lists every key)"
				}
				*errs = append(*errs, errors.New(msg))
				continue
			}
			checkNode(n.Content[i+1], f.Type, joinPath(path, k), errs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			fail("want a mapping (KEY: VALUE), got %s", describeNode(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkNode(n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value), errs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			fail("want a list ([a, b] or one '- item' per line), got %s", describeNode(n))
			return
		}
		for i, item := range n.Content {
			checkNode(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			fail("want true or false, got %s", describeNode(n))
		}
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			fail("want a whole number, got %s", describeNode(n))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			fail("want a single value, got %s", describeNode(n))
		}
	}
}

// fieldByTag finds the field of struct t whose yaml tag is key.
func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag := strings.Split(f.Tag.Get("yaml"), ",")[0]; tag == key && tag != "-" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// nearestKey is the YAML key of struct t within two edits of key, if any.
func nearestKey(key string, t reflect.Type) string {
	best, bestDist := "", 3
	for _, k := range strings.Split(fieldNames(t), ", ") {
		if d := levenshtein.ComputeDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// fieldNames lists struct t's YAML keys, for "want a mapping" errors.
func fieldNames(t reflect.Type) string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
	}
	return strings.Join(keys, ", ")
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// describeNode says what a node is, quoting at most 40 bytes of a scalar.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return fmt.Sprintf("%q", v)
}
