package upstream

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// openHeaders are the request headers Open forwards from its header argument.
// Everything else (cookies, the downstream client's proxy credentials, …) is
// dropped. Authorization is forwarded for chained registries: build it from
// upstream configuration, never from the downstream request.
var openHeaders = []string{
	"Accept", "Authorization", "Range", "If-Range",
	"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since",
}

// hopHeaders are connection-level headers never forwarded (RFC 9110 §7.6.1).
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
	"Host", "Content-Length",
}

// Open starts streaming an artifact. It sends Accept-Encoding: identity (the
// bytes are never decompressed) and forwards only the Range, conditional,
// Accept and Authorization headers found in header.
//
// 200, 206, 304 and 416 responses are returned as is; the caller must close
// Body. 404/410 map to policy.ErrNotFound, other statuses to
// policy.ErrUpstream (the body is closed). The response-header timeout
// applies, but there is no whole-body deadline: ctx cancels the download.
func (c *Client) Open(ctx context.Context, rawURL string, header http.Header) (*http.Response, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open artifact: %w: %w", policy.ErrUpstream, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w: build request", Redact(u), policy.ErrUpstream)
	}
	for _, k := range openHeaders {
		for _, v := range header.Values(k) {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Accept-Encoding", "identity")
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	resp, err := c.do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("open artifact: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusPartialContent, http.StatusNotModified, http.StatusRequestedRangeNotSatisfiable:
		return resp, nil
	}
	closeBody(resp.Body)
	return nil, statusError(resp.Request.URL, resp.StatusCode)
}

// Forward passes a request through to upstream (npm audit POSTs) and returns
// the upstream response as is, whatever its status; the caller must close
// Body. header is sent without hop-by-hop headers, so the caller decides
// what reaches upstream: never pass the downstream request's header
// wholesale when it may carry the proxy's own credentials.
//
// The request body is buffered up to maxBody bytes (DefaultMaxForwardBody
// when maxBody <= 0); a larger body fails with policy.ErrTooLarge before
// anything is sent. Transport failures wrap policy.ErrUpstream.
func (c *Client) Forward(ctx context.Context, method, rawURL string, header http.Header, body io.Reader, maxBody int64) (*http.Response, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("forward: %w: %w", policy.ErrUpstream, err)
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxForwardBody
	}
	var payload []byte
	if body != nil {
		payload, err = io.ReadAll(io.LimitReader(body, maxBody+1))
		if err != nil {
			return nil, fmt.Errorf("forward %s %s: read request body: %w", method, Redact(u), err)
		}
		if int64(len(payload)) > maxBody {
			return nil, fmt.Errorf("forward %s %s: request body exceeds %d bytes: %w", method, Redact(u), maxBody, policy.ErrTooLarge)
		}
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("forward %s %s: %w: invalid method", method, Redact(u), policy.ErrUpstream)
	}
	req.Header = cleanHeader(header)
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	resp, err := c.do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("forward %s: %w", method, err)
	}
	return resp, nil
}

// cleanHeader copies h without hop-by-hop headers, including those named in
// its Connection header.
func cleanHeader(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		return http.Header{}
	}
	for _, v := range h.Values("Connection") {
		for _, name := range strings.Split(v, ",") {
			if name = textproto.TrimString(name); name != "" {
				out.Del(name)
			}
		}
	}
	for _, k := range hopHeaders {
		out.Del(k)
	}
	return out
}
