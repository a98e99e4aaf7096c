package auth

import (
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

type node = treesitter.Node

// pyStr returns the value of a Python string literal without
// interpolation (f-strings with placeholders are not constants), and of an
// implicit concatenation of such literals.
func pyStr(n node) (string, bool) {
	switch n.Kind() {
	case "string":
		var b strings.Builder
		for _, c := range n.NamedChildren() {
			switch c.Kind() {
			case "string_content", "escape_sequence":
				b.WriteString(c.Text())
			case "interpolation":
				return "", false
			}
		}
		return b.String(), true
	case "concatenated_string":
		var b strings.Builder
		for _, c := range n.NamedChildren() {
			s, ok := pyStr(c)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		}
		return b.String(), true
	case "parenthesized_expression":
		return pyStr(n.NamedChild(0))
	}
	return "", false
}

// jsStr returns the value of a JavaScript string or substitution-free
// template literal.
func jsStr(n node) (string, bool) {
	switch n.Kind() {
	case "string":
		var b strings.Builder
		for _, c := range n.NamedChildren() {
			b.WriteString(c.Text())
		}
		return b.String(), true
	case "template_string":
		var b strings.Builder
		for _, c := range n.NamedChildren() {
			switch c.Kind() {
			case "string_fragment", "escape_sequence":
				b.WriteString(c.Text())
			default:
				return "", false
			}
		}
		return b.String(), true
	case "parenthesized_expression":
		return jsStr(n.NamedChild(0))
	}
	return "", false
}

// dotted returns "a.b.c" for identifiers and attribute/member chains of
// identifiers, "" otherwise.
func dotted(n node) string {
	switch n.Kind() {
	case "identifier", "property_identifier", "type_identifier", "this", "shorthand_property_identifier":
		return n.Text()
	case "attribute":
		o := dotted(n.Field("object"))
		if o == "" {
			return ""
		}
		return o + "." + n.Field("attribute").Text()
	case "member_expression":
		o := dotted(n.Field("object"))
		if o == "" {
			return ""
		}
		return o + "." + n.Field("property").Text()
	case "dotted_name":
		return n.Text()
	}
	return ""
}

// calleeName is the dotted name of what a call calls ("" when it is not a
// plain name chain).
func calleeName(call node) string { return dotted(call.Field("function")) }

// pyArgs splits a Python call's arguments into positional ones and keyword
// ones (kw is nil, which reads as empty, when there are none: most calls).
func pyArgs(call node) (pos []node, kw map[string]node) {
	args := call.Field("arguments").NamedChildren()
	pos = make([]node, 0, len(args))
	for _, a := range args {
		switch a.Kind() {
		case "keyword_argument":
			if kw == nil {
				kw = map[string]node{}
			}
			kw[a.Field("name").Text()] = a.Field("value")
		case "comment", "list_splat", "dictionary_splat":
		default:
			pos = append(pos, a)
		}
	}
	return pos, kw
}

// jsArgs returns a JavaScript call's (or new expression's) arguments.
func jsArgs(call node) []node {
	var out []node
	for _, a := range call.Field("arguments").NamedChildren() {
		if a.Kind() != "comment" {
			out = append(out, a)
		}
	}
	return out
}

// jsProps maps an object literal's keys onto their values (shorthand
// properties map onto the identifier itself).
func jsProps(obj node) map[string]node {
	m := map[string]node{}
	if obj.Kind() != "object" {
		return m
	}
	for _, p := range obj.NamedChildren() {
		switch p.Kind() {
		case "pair":
			k := p.Field("key")
			key := k.Text()
			if s, ok := jsStr(k); ok {
				key = s
			}
			m[key] = p.Field("value")
		case "shorthand_property_identifier":
			m[p.Text()] = p
		case "method_definition": // { handler(request, reply) { … } }
			m[p.Field("name").Text()] = p
		}
	}
	return m
}

// pyDictItems maps a Python dict literal's string keys (or a dict(...)
// call's keywords) onto values.
func pyDictItems(n node) (map[string]node, bool) {
	m := map[string]node{}
	switch n.Kind() {
	case "dictionary":
		for _, p := range n.NamedChildren() {
			if p.Kind() == "pair" {
				if k, ok := pyStr(p.Field("key")); ok {
					m[k] = p.Field("value")
				}
			}
		}
		return m, true
	case "call":
		if calleeName(n) == "dict" {
			_, kw := pyArgs(n)
			return kw, true
		}
	}
	return nil, false
}

// enclosing returns the nearest ancestor of one of the kinds (null if none).
func enclosing(n node, kinds ...string) node {
	for p := n.Parent(); !p.IsNull(); p = p.Parent() {
		for _, k := range kinds {
			if p.Kind() == k {
				return p
			}
		}
	}
	return node{}
}

var jsFuncKinds = []string{"function_declaration", "function_expression", "arrow_function", "method_definition", "generator_function_declaration", "function"}

// funcName is the name of a function node, or of the variable or property
// it is assigned to.
func funcName(fn node) string {
	if n := fn.Field("name"); !n.IsNull() {
		return n.Text()
	}
	p := fn.Parent()
	switch p.Kind() {
	case "variable_declarator":
		return p.Field("name").Text()
	case "pair":
		return p.Field("key").Text()
	case "assignment_expression":
		return lastName(dotted(p.Field("left")))
	}
	return ""
}

// isConstantCase: UPPER_CASE names (enum members, constants) and dotted
// names ending in one (Status.ACTIVE).
func isConstantCase(s string) bool {
	s = lastName(s)
	if len(s) < 2 {
		return false
	}
	hasLetter := false
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			hasLetter = true
		case r >= '0' && r <= '9', r == '_':
		default:
			return false
		}
	}
	return hasLetter
}

// position of a node, extracted so that nothing keeps nodes.
type pos struct {
	line, col, endLine, endCol int
}

func posOf(n node) pos {
	return pos{n.Line(), n.Column(), n.EndLine(), n.EndColumn()}
}
