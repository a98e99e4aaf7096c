package proxy

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// auditBulkPath is npm's bulk advisory endpoint below /npm/.
const auditBulkPath = "-/npm/v1/security/advisories/bulk"

// errAuditBody marks a bulk advisory request body the proxy cannot read to
// take private names out of: the client's 400.
var errAuditBody = errors.New("bad audit request body")

// privateAuditBody reads a bulk advisory request ({"name": ["1.0.0"], …},
// gzip when encoding says so) from src on first use and yields it without
// the names npm.private keeps from upstream, re-encoded the same way: npm
// audit posts every dependency of the project, so forwarding the body as
// it came would tell the upstream registry the private names.
type privateAuditBody struct {
	s        *Server
	src      io.Reader
	encoding string
	// legacy is the /audits[/quick] body (the project's tree), else the
	// bulk one ({"name": [versions]}).
	legacy bool
	out    *bytes.Reader
	err    error
}

func (b *privateAuditBody) Read(p []byte) (int, error) {
	if b.out == nil && b.err == nil {
		var out []byte
		out, b.err = b.s.withoutPrivateNames(b.src, b.encoding, b.legacy)
		b.out = bytes.NewReader(out)
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.out.Read(p)
}

// withoutPrivateNames returns the body read from src with private names
// removed; unchanged bytes when there are none.
func (s *Server) withoutPrivateNames(src io.Reader, encoding string, legacy bool) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(src, maxAuditBody+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxAuditBody {
		return nil, fmt.Errorf("audit body over %d bytes: %w", maxAuditBody, policy.ErrTooLarge)
	}
	gz := strings.EqualFold(strings.TrimSpace(encoding), "gzip")
	doc := raw
	if gz {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%w: not gzip: %v", errAuditBody, err)
		}
		doc, err = io.ReadAll(io.LimitReader(zr, maxAuditBody+1))
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", errAuditBody, err)
		}
		if len(doc) > maxAuditBody {
			return nil, fmt.Errorf("audit body inflates past %d bytes: %w", maxAuditBody, policy.ErrTooLarge)
		}
	} else if encoding != "" && !strings.EqualFold(strings.TrimSpace(encoding), "identity") {
		return nil, fmt.Errorf("%w: content encoding %q (gzip or none)", errAuditBody, encoding)
	}
	var out []byte
	if legacy {
		out, err = s.legacyAuditWithoutPrivate(doc)
	} else {
		out, err = s.bulkAuditWithoutPrivate(doc)
	}
	if err != nil || out == nil {
		return raw, err // nil: nothing private in it, forwarded as it came
	}
	if !gz {
		return out, nil
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(out); err != nil {
		return nil, fmt.Errorf("gzip audit body: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip audit body: %w", err)
	}
	return buf.Bytes(), nil
}

// bulkAuditWithoutPrivate removes private names from a bulk advisory
// request; nil when it names none.
func (s *Server) bulkAuditWithoutPrivate(doc []byte) ([]byte, error) {
	var names map[string]json.RawMessage
	if err := json.Unmarshal(doc, &names); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object of package names: %v", errAuditBody, err)
	}
	removed := 0
	for name := range names {
		if _, private := s.npmPrivate(name); private {
			delete(names, name)
			removed++
		}
	}
	if removed == 0 {
		return nil, nil
	}
	out, err := json.Marshal(names)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errAuditBody, err)
	}
	return out, nil
}

// legacyAuditWithoutPrivate removes private names from a legacy audit
// request, the project's tree ({"requires": {name: range}, "dependencies":
// {name: {"version", "requires", "dependencies"}}} at every level); nil
// when it names none.
func (s *Server) legacyAuditWithoutPrivate(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber() // numbers pass through as written
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", errAuditBody, err)
	}
	removed, err := s.dropPrivate(tree, 0)
	if err != nil {
		return nil, err
	}
	// the root names the project itself, which may be internal too
	if name, ok := tree["name"].(string); ok {
		if _, private := s.npmPrivate(name); private {
			delete(tree, "name")
			removed++
		}
	}
	if removed == 0 {
		return nil, nil
	}
	out, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errAuditBody, err)
	}
	return out, nil
}

// maxAuditDepth bounds the legacy tree dropPrivate reads, far deeper than
// any real project's.
const maxAuditDepth = 256

// dropPrivate deletes private names from the name maps of one tree node
// and its dependencies, and returns how many it deleted. A tree deeper than
// maxAuditDepth is refused (errAuditBody): names below it would go
// upstream unread.
func (s *Server) dropPrivate(node map[string]any, depth int) (int, error) {
	if depth > maxAuditDepth {
		return 0, fmt.Errorf("%w: dependency tree deeper than %d levels", errAuditBody, maxAuditDepth)
	}
	removed := 0
	for _, key := range []string{"requires", "dependencies", "devDependencies", "optionalDependencies"} {
		names, ok := node[key].(map[string]any)
		if !ok {
			continue
		}
		for name, v := range names {
			if _, private := s.npmPrivate(name); private {
				delete(names, name)
				removed++
				continue
			}
			if child, ok := v.(map[string]any); ok && key == "dependencies" {
				n, err := s.dropPrivate(child, depth+1)
				if err != nil {
					return 0, err
				}
				removed += n
			}
		}
	}
	return removed, nil
}
