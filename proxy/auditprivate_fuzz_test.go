package proxy

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// FuzzAuditBody feeds arbitrary audit request bodies (client input, plain
// or gzip, bulk or legacy) to the private-name filter: it never panics,
// fails only with a bad-body or too-large error, and what it returns names
// no private package where a name goes.
func FuzzAuditBody(f *testing.F) {
	for _, seed := range []string{
		`{"mature-lib":["1.1.0"],"@myorg/secret":["1.0.0"]}`,
		`{"requires":{"@myorg/a":"1"},"dependencies":{"x":{"version":"1","dependencies":{"internal-b":{"version":"2"}}}}}`,
		`{}`, `[]`, `null`, `{"a":1e999}`, `{"@MyOrg/X":[]}`, "",
	} {
		f.Add([]byte(seed), false, false)
		f.Add([]byte(seed), true, false)
		f.Add([]byte(seed), false, true)
	}
	s := &Server{opts: Options{NPM: NPMOptions{Private: []string{"@myorg/*", "internal-*"}}}}
	f.Fuzz(func(t *testing.T, doc []byte, gz, legacy bool) {
		body, encoding := doc, ""
		if gz {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(doc)
			zw.Close()
			body, encoding = b.Bytes(), "gzip"
		}
		out, err := s.withoutPrivateNames(bytes.NewReader(body), encoding, legacy)
		if err != nil {
			if !errors.Is(err, errAuditBody) && !errors.Is(err, policy.ErrTooLarge) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("output is not gzip: %v", err)
			}
			if out, err = io.ReadAll(zr); err != nil {
				t.Fatalf("output gzip: %v", err)
			}
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("output is not JSON: %v: %q", err, out)
		}
		if name := privateNameIn(s, v, legacy, 0); name != "" {
			t.Fatalf("output still names private %q: %s", name, out)
		}
	})
}

// privateNameIn returns a private name found where the filter removes
// names: the top level of a bulk body, the name maps of a legacy tree.
func privateNameIn(s *Server, v any, legacy bool, depth int) string {
	m, ok := v.(map[string]any)
	if !ok || depth > 256 {
		return ""
	}
	if !legacy {
		for k := range m {
			if _, p := s.npmPrivate(k); p {
				return k
			}
		}
		return ""
	}
	for _, key := range []string{"requires", "dependencies", "devDependencies", "optionalDependencies"} {
		names, ok := m[key].(map[string]any)
		if !ok {
			continue
		}
		for k, child := range names {
			if _, p := s.npmPrivate(k); p {
				return k
			}
			if key == "dependencies" {
				if n := privateNameIn(s, child, true, depth+1); n != "" {
					return n
				}
			}
		}
	}
	return ""
}
