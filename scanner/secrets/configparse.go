package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"
)

// entry is one key/value setting read from a configuration file.
type entry struct {
	Key   string // the last key ("SECRET_KEY", "password")
	Path  string // the full key path ("database.password")
	Value string
	Line  int // 1-based; 0 when unknown
}

// maxEntries bounds what one config file contributes (a 1 MiB JSON array
// of strings is not a settings file).
const maxEntries = 20000

// parseDotenv reads a .env file: KEY=VALUE lines, `export` prefixes,
// single/double/back quotes (double quotes may span lines), inline
// comments after unquoted values. Lines that are not assignments are
// skipped: .env files are often shell scripts in disguise.
func parseDotenv(b []byte) []entry {
	var out []entry
	lines := strings.Split(strings.ReplaceAll(strings.TrimPrefix(string(b), "\ufeff"), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines) && len(out) < maxEntries; i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" || line[0] == '#' {
			continue
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "export "))
		eq := strings.IndexByte(line, '=')
		if eq <= 0 {
			continue
		}
		key := strings.TrimSpace(line[:eq])
		if !validEnvKey(key) {
			continue
		}
		raw := strings.TrimSpace(line[eq+1:])
		startLine := i + 1
		var val string
		switch {
		case raw != "" && (raw[0] == '"' || raw[0] == '\'' || raw[0] == '`'):
			q := raw[0]
			body := raw[1:]
			if end := closingQuote(body, q); end >= 0 {
				val = body[:end]
			} else if q == '"' {
				// a double-quoted value continues on the next lines
				var sb strings.Builder
				sb.WriteString(body)
				closed := false
				for i+1 < len(lines) {
					i++
					sb.WriteByte('\n')
					if end := closingQuote(lines[i], q); end >= 0 {
						sb.WriteString(lines[i][:end])
						closed = true
						break
					}
					sb.WriteString(lines[i])
				}
				val = sb.String()
				if !closed {
					val = body
				}
			} else {
				val = body
			}
		default:
			val = raw
			if c := strings.Index(val, " #"); c >= 0 {
				val = val[:c]
			}
			val = strings.TrimSpace(val)
		}
		out = append(out, entry{Key: key, Path: key, Value: val, Line: startLine})
	}
	return out
}

func closingQuote(s string, q byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && q == '"' {
			i++
			continue
		}
		if s[i] == q {
			return i
		}
	}
	return -1
}

func validEnvKey(k string) bool {
	if k == "" || len(k) > 200 {
		return false
	}
	for i, r := range k {
		if !(r == '_' || r == '.' || r == '-' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// parseINI reads INI/cfg files (setup.cfg, .pypirc, tox.ini, alembic.ini):
// [section], key = value or key: value, ; and # comments, indented
// continuation lines.
func parseINI(b []byte) []entry {
	var out []entry
	section := ""
	lines := strings.Split(strings.ReplaceAll(strings.TrimPrefix(string(b), "\ufeff"), "\r\n", "\n"), "\n")
	for i, raw := range lines {
		if len(out) >= maxEntries {
			break
		}
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if end := strings.IndexByte(line, ']'); end > 0 {
				section = strings.TrimSpace(line[1:end])
			}
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if len(out) > 0 && out[len(out)-1].Line > 0 {
				// continuation of the previous value
				last := &out[len(out)-1]
				last.Value = strings.TrimSpace(last.Value + "\n" + line)
			}
			continue
		}
		sep := strings.IndexAny(line, "=:")
		if sep <= 0 {
			continue
		}
		key := strings.TrimSpace(line[:sep])
		val := strings.TrimSpace(line[sep+1:])
		if c := strings.Index(val, " ;"); c >= 0 {
			val = strings.TrimSpace(val[:c])
		}
		if c := strings.Index(val, " #"); c >= 0 {
			val = strings.TrimSpace(val[:c])
		}
		if len(val) >= 2 && (val[0] == '"' && val[len(val)-1] == '"' || val[0] == '\'' && val[len(val)-1] == '\'') {
			val = val[1 : len(val)-1]
		}
		p := key
		if section != "" {
			p = section + "." + key
		}
		out = append(out, entry{Key: key, Path: p, Value: val, Line: i + 1})
	}
	return out
}

// parseYAML reads every document of a YAML file and returns its scalar
// settings with their lines. Sequences of "KEY=value" strings (compose
// `environment:` lists) become settings too.
func parseYAML(b []byte) ([]entry, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []entry
	for docs := 0; docs < 1000; docs++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("yaml: %w", err)
		}
		walkYAML(&doc, "", "", &out, 0)
	}
	return out, nil
}

func walkYAML(n *yaml.Node, key, p string, out *[]entry, depth int) {
	if n == nil || depth > 100 || len(*out) >= maxEntries {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkYAML(c, key, p, out, depth+1)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			cp := k.Value
			if p != "" {
				cp = p + "." + k.Value
			}
			walkYAML(v, k.Value, cp, out, depth+1)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				if k, v, ok := strings.Cut(c.Value, "="); ok && validEnvKey(k) && !strings.ContainsAny(k, " ") {
					*out = append(*out, entry{Key: k, Path: p + "." + k, Value: v, Line: c.Line})
					continue
				}
			}
			walkYAML(c, key, p, out, depth+1)
		}
	case yaml.ScalarNode:
		if key == "" || n.Tag == "!!null" || n.Tag == "!!bool" {
			return
		}
		*out = append(*out, entry{Key: key, Path: p, Value: n.Value, Line: n.Line})
	}
}

// parseJSON reads a JSON document's string and number settings with the
// line each value ends on.
func parseJSON(b []byte) ([]entry, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	lineAt := lineIndex(b)
	var stack []jsonFrame
	var out []entry
	for len(out) < maxEntries {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if len(stack) > 0 {
				return out, fmt.Errorf("json: unexpected end of input")
			}
			break
		}
		if err != nil {
			return out, fmt.Errorf("json: %w", err)
		}
		if len(stack) > 200 {
			return out, fmt.Errorf("json: nested deeper than 200 levels")
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, jsonFrame{object: true, want: true})
			case '[':
				stack = append(stack, jsonFrame{})
			case '}', ']':
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].want = true
				}
			}
			continue
		case string:
			if top != nil && top.object && top.want {
				top.key = t
				top.want = false
				continue
			}
			if top != nil && top.object {
				out = append(out, entry{Key: top.key, Path: jsonPath(stack), Value: t, Line: lineAt(int(dec.InputOffset()))})
			}
		case json.Number:
			if top != nil && top.object && !top.want {
				out = append(out, entry{Key: top.key, Path: jsonPath(stack), Value: t.String(), Line: lineAt(int(dec.InputOffset()))})
			}
		}
		if top != nil && top.object {
			top.want = true
		}
	}
	return out, nil
}

type jsonFrame struct {
	object bool
	key    string
	want   bool // the next string token in this object is a key
}

func jsonPath(stack []jsonFrame) string {
	parts := make([]string, 0, len(stack))
	for _, f := range stack {
		if f.object && f.key != "" {
			parts = append(parts, f.key)
		}
	}
	return strings.Join(parts, ".")
}

// parseTOML decodes a TOML document and finds the line of each setting a
// rule can judge by looking for its key and value in the text (the decoder
// keeps no positions); other settings have line 0.
func parseTOML(b []byte) ([]entry, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(b), &doc); err != nil {
		if strings.HasPrefix(err.Error(), "toml:") {
			return nil, err // the decoder names itself
		}
		return nil, fmt.Errorf("toml: %w", err)
	}
	var out []entry
	flattenTOML(doc, "", &out, 0)
	lines := strings.Split(string(b), "\n")
	for i := range out {
		// only the settings a rule can judge need a line: this keeps a
		// large TOML file linear
		if classifyName(out[i].Key) != notSecret || strings.Contains(out[i].Value, "://") {
			out[i].Line = findLine(lines, out[i].Key, out[i].Value)
		}
	}
	return out, nil
}

func flattenTOML(v any, p string, out *[]entry, depth int) {
	if depth > 100 || len(*out) >= maxEntries {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cp := k
			if p != "" {
				cp = p + "." + k
			}
			if s, ok := t[k].(string); ok {
				*out = append(*out, entry{Key: k, Path: cp, Value: s})
				continue
			}
			if n, ok := t[k].(int64); ok {
				*out = append(*out, entry{Key: k, Path: cp, Value: strconv.FormatInt(n, 10)})
				continue
			}
			flattenTOML(t[k], cp, out, depth+1)
		}
	case []map[string]any:
		for _, m := range t {
			flattenTOML(m, p, out, depth+1)
		}
	case []any:
		for _, e := range t {
			flattenTOML(e, p, out, depth+1)
		}
	}
}

// findLine is the first line holding both the key and the value (else the
// value alone); 0 when neither is found.
func findLine(lines []string, key, value string) int {
	if value == "" {
		return 0
	}
	first := 0
	for i, l := range lines {
		if !strings.Contains(l, value) {
			continue
		}
		if strings.Contains(l, key) {
			return i + 1
		}
		if first == 0 {
			first = i + 1
		}
	}
	return first
}

// lineIndex returns a function mapping byte offsets to 1-based lines.
func lineIndex(b []byte) func(int) int {
	var starts []int
	starts = append(starts, 0)
	for i, c := range b {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return func(off int) int {
		// the offset is just past the token: count the line of off-1
		if off > 0 {
			off--
		}
		return sort.Search(len(starts), func(i int) bool { return starts[i] > off })
	}
}
