package upstream

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// DocumentRequest describes a metadata document to fetch.
type DocumentRequest struct {
	// URL is the absolute http(s) URL of the document.
	URL string
	// Accept is sent as the Accept header when not empty.
	Accept string
	// ETag, when set, is sent as If-None-Match; an unchanged document then
	// comes back as NotModified.
	ETag string
	// Header holds extra request headers, e.g. Authorization for a chained
	// registry. It is never logged. Accept-Encoding, If-None-Match and
	// User-Agent are controlled by the client.
	Header http.Header
}

// Document is a fetched, decoded metadata document.
type Document struct {
	// Body is the decoded body; nil when NotModified.
	Body []byte
	// ETag is the response's ETag; on NotModified the request's ETag when
	// the response carried none.
	ETag         string
	LastModified string
	ContentType  string
	// NotModified reports a 304 answer to a conditional request.
	NotModified bool
	// Status is the upstream HTTP status code.
	Status int
	// Header is the upstream response header.
	Header http.Header
	// FinalURL is the URL the document was served from after same-host
	// redirects (resolve relative links against it). It may carry userinfo;
	// use Redact before logging it.
	FinalURL string
}

// GetDocument fetches a metadata document, asking for gzip and decoding it
// itself with the size cap enforced while reading, so a compression bomb
// fails with policy.ErrTooLarge after at most MaxDocumentBytes of output.
//
// Status mapping: 200/203 → Body; 304 (when ETag was sent) → NotModified;
// 404/410 → policy.ErrNotFound; anything else, transport failures, timeouts,
// truncated or malformed bodies → policy.ErrUpstream.
func (c *Client) GetDocument(ctx context.Context, dr DocumentRequest) (Document, error) {
	u, err := parseURL(dr.URL)
	if err != nil {
		return Document{}, fmt.Errorf("get document: %w: %w", policy.ErrUpstream, err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.opts.DocumentTimeout,
		fmt.Errorf("%w after %s: %w", errDocumentTimeout, c.opts.DocumentTimeout, context.DeadlineExceeded))
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Document{}, fmt.Errorf("get %s: %w: build request", Redact(u), policy.ErrUpstream)
	}
	for k, vs := range dr.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Del("If-None-Match")
	if dr.Accept != "" {
		req.Header.Set("Accept", dr.Accept)
	}
	if dr.ETag != "" {
		req.Header.Set("If-None-Match", dr.ETag)
	}
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}

	resp, err := c.do(ctx, req)
	if err != nil {
		return Document{}, fmt.Errorf("get document: %w", err)
	}
	defer resp.Body.Close()

	doc := Document{
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		ContentType:  resp.Header.Get("Content-Type"),
		Status:       resp.StatusCode,
		Header:       resp.Header,
		FinalURL:     resp.Request.URL.String(),
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusNonAuthoritativeInfo:
	case http.StatusNotModified:
		if dr.ETag == "" {
			return Document{}, fmt.Errorf("get %s: status 304 to an unconditional request: %w", Redact(u), policy.ErrUpstream)
		}
		doc.NotModified = true
		if doc.ETag == "" {
			doc.ETag = dr.ETag
		}
		return doc, nil
	default:
		closeBody(resp.Body)
		return Document{}, statusError(resp.Request.URL, resp.StatusCode)
	}

	body, err := c.readDocument(resp)
	if err != nil {
		if errors.Is(err, policy.ErrTooLarge) {
			return Document{}, fmt.Errorf("get %s: %w", Redact(u), err)
		}
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		return Document{}, fmt.Errorf("get %s: read body: %w: %w", Redact(u), policy.ErrUpstream, err)
	}
	doc.Body = body
	return doc, nil
}

// readDocument reads and decodes resp.Body within the size caps.
func (c *Client) readDocument(resp *http.Response) (body []byte, err error) {
	limit := c.opts.MaxDocumentBytes
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("body of %d bytes exceeds %d bytes: %w", resp.ContentLength, limit, policy.ErrTooLarge)
	}
	res := c.budget.reserve(resp.Request.Context())
	defer func() { res.release(err != nil) }()
	raw := newCapReader(resp.Body, limit, "raw body")
	enc := strings.ToLower(strings.TrimSpace(strings.Join(resp.Header.Values("Content-Encoding"), ",")))
	switch enc {
	case "", "identity":
		return readAll(raw, resp.ContentLength, limit, res.take)
	case "gzip", "x-gzip":
		// The compressed bytes first; then the decoded size is measured
		// without keeping the output, so a decompression bomb is refused
		// having cost only its compressed size; then one exact allocation.
		compressed, err := readAll(raw, resp.ContentLength, limit, res.take)
		if err != nil {
			return nil, err
		}
		size, err := gunzip(compressed, io.Discard, limit)
		if err != nil {
			return nil, err
		}
		if err := res.take(size); err != nil {
			return nil, err
		}
		out := &fixedWriter{buf: make([]byte, 0, size)}
		if _, err := gunzip(compressed, out, limit); err != nil {
			return nil, err
		}
		return out.buf, nil
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
}

// gunzip decodes the gzip stream gz into w, failing with policy.ErrTooLarge
// past limit decoded bytes, and returns the decoded size.
func gunzip(gz []byte, w io.Writer, limit int64) (int64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return 0, fmt.Errorf("gzip: %w", err)
	}
	defer zr.Close()
	n, err := io.Copy(w, newCapReader(zr, limit, "decoded body"))
	if err != nil {
		return n, err
	}
	return n, nil
}

// fixedWriter appends into buf without ever growing it (bytes.Buffer would
// double a full buffer): the second decoding pass knows the exact size.
type fixedWriter struct{ buf []byte }

func (w *fixedWriter) Write(p []byte) (int, error) {
	if len(w.buf)+len(p) > cap(w.buf) {
		return 0, errors.New("gzip stream decoded differently on the second pass")
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// readAll reads r completely. With a size hint (Content-Length, already
// checked against limit) it reads into one exact allocation; otherwise it
// collects bounded chunks and joins them once, so a failed read never
// allocated more than about limit bytes. r must enforce limit itself
// (capReader). take reserves memory before each allocation (the in-flight
// budget) and may refuse it.
func readAll(r io.Reader, hint, limit int64, take func(int64) error) ([]byte, error) {
	if hint >= 0 && hint <= limit {
		if err := take(hint); err != nil {
			return nil, err
		}
		buf := make([]byte, hint)
		if _, err := io.ReadFull(r, buf); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		var one [1]byte
		n, err := r.Read(one[:])
		if n > 0 {
			return nil, errors.New("body longer than Content-Length")
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return buf, nil
	}
	const minChunk, maxChunk = 32 << 10, 4 << 20
	var (
		chunks [][]byte
		total  int
		size   = minChunk
	)
	for done := false; !done; {
		if err := take(int64(size)); err != nil {
			return nil, err
		}
		chunk := make([]byte, size)
		n := 0
		for n < len(chunk) {
			m, err := r.Read(chunk[n:])
			n += m
			if errors.Is(err, io.EOF) {
				done = true
				break
			}
			if err != nil {
				return nil, err
			}
		}
		chunks = append(chunks, chunk[:n])
		total += n
		size = min(size*2, maxChunk)
	}
	if err := take(int64(total)); err != nil {
		return nil, err
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

// capReader fails with policy.ErrTooLarge once more than left bytes were
// read from r; it never reads more than one byte past the limit.
type capReader struct {
	r     io.Reader
	left  int64
	limit int64
	what  string
}

func newCapReader(r io.Reader, limit int64, what string) *capReader {
	return &capReader{r: r, left: limit, limit: limit, what: what}
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, c.tooLarge()
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, c.tooLarge()
	}
	return n, err
}

func (c *capReader) tooLarge() error {
	return fmt.Errorf("%s exceeds %d bytes: %w", c.what, c.limit, policy.ErrTooLarge)
}
