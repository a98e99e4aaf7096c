package proxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/mozillazg/go-unidecode"
)

// reasonPrefix starts every custom reason phrase, so users recognise who
// refused the request.
const reasonPrefix = "Blocked by vigil-proxy: "

// maxPhrase bounds the custom reason phrase: clients print it on one line,
// and it must hold the longest reasons (a slopsquat with suggestions).
const maxPhrase = 320

// sanitizePhrase makes s safe for a status line or header value: printable
// ASCII only, no CR/LF, bounded length. Other characters are transliterated
// (gefährlich → gefahrlich, вред → vred, … → ...): the clients that print
// these channels decode them as Latin-1 (Node's http for npm and yarn, pip's
// http.client), so UTF-8 bytes would show as mojibake. A character with no
// transliteration becomes '?'. Bodies keep the exact UTF-8 text.
func sanitizePhrase(s string, limit int) string {
	var b strings.Builder
	for _, r := range plainQuotes(s) {
		switch {
		case r < 0x80 && unicode.IsPrint(r):
			b.WriteRune(r)
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case r < 0x80 || unicode.IsControl(r):
			b.WriteByte('?')
		default:
			t := unidecode.Unidecode(string(r))
			kept := false
			for _, c := range []byte(t) {
				if c < 0x80 && unicode.IsPrint(rune(c)) {
					b.WriteByte(c)
					kept = true
				}
			}
			if !kept {
				b.WriteByte('?')
			}
		}
	}
	out := b.String()
	if len(out) > limit {
		cut := out[:limit-3]
		if i := strings.LastIndexByte(cut, ' '); i > limit/2 {
			cut = cut[:i]
		}
		out = strings.TrimRight(cut, " ,;-") + "..."
	}
	return out
}

// refusal describes a response that refuses a request and says why.
type refusal struct {
	status int    // 403 for policy blocks, 404 for names that do not exist
	reason string // user-facing reason
	// phrase, when set, is the whole reason phrase; otherwise it is
	// "Blocked by vigil-proxy: " and the reason.
	phrase string
	body   []byte
	header http.Header
}

// writeRefusal sends r. Over HTTP/1.x it hijacks the connection to send a
// custom reason phrase ("403 Blocked by vigil-proxy: …"), the only channel
// pip (for file downloads), pnpm and yarn print. Over HTTP/2, or when the
// connection cannot be hijacked, it falls back to a normal response: the
// body, X-Vigil-Reason and npm-notice headers still carry the reason.
func writeRefusal(w http.ResponseWriter, req *http.Request, r refusal) error {
	h := w.Header()
	for k, vs := range r.header {
		h[k] = vs
	}
	h.Set("X-Vigil-Reason", sanitizePhrase(r.reason, 1024))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if req.ProtoMajor == 1 && r.reason != "" {
		if err := writeHijacked(w, req, r); err == nil {
			// The response bypassed the writer: tell it what was sent, for
			// the request log.
			if er, ok := w.(*echo.Response); ok {
				er.Status, er.Size, er.Committed = r.status, int64(len(r.body)), true
			}
			return nil
		} else if !errors.Is(err, errNoHijack) {
			return err
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(r.body)))
	w.WriteHeader(r.status)
	if req.Method != http.MethodHead {
		_, err := w.Write(r.body)
		return err
	}
	return nil
}

var errNoHijack = errors.New("connection cannot be hijacked")

func writeHijacked(w http.ResponseWriter, req *http.Request, r refusal) error {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return fmt.Errorf("%w: %v", errNoHijack, err)
	}
	defer conn.Close()
	phrase := sanitizePhrase(reasonPrefix+r.reason, maxPhrase)
	if r.phrase != "" {
		phrase = sanitizePhrase(r.phrase, maxPhrase)
	}
	bw := buf.Writer
	if bw == nil {
		bw = bufio.NewWriter(conn)
	}
	fmt.Fprintf(bw, "HTTP/1.1 %03d %s\r\n", r.status, phrase)
	h := w.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(len(r.body)))
	h.Set("Connection", "close")
	if err := h.Write(bw); err != nil {
		return fmt.Errorf("write refusal headers: %w", err)
	}
	bw.WriteString("\r\n")
	if req.Method != http.MethodHead {
		bw.Write(r.body)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write refusal: %w", err)
	}
	if req.Body != nil && req.Body != http.NoBody && req.ContentLength != 0 {
		lingeringClose(conn)
	}
	return nil
}

// lingerTime is how long a refused request's unread body is drained before
// the connection closes.
const lingerTime = 500 * time.Millisecond

// lingeringClose ends a hijacked connection whose client may still be
// sending a request body (npm publish's tarball): closing at once with
// unread bytes makes the kernel send a reset, and the client sees
// "connection reset" instead of the refusal. As net/http does for its own
// responses, it closes the write side and drains the rest for a short
// while first; the caller then closes the connection.
func lingeringClose(conn net.Conn) {
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = conn.SetReadDeadline(time.Now().Add(lingerTime))
	_, _ = io.Copy(io.Discard, io.LimitReader(conn, 64<<20))
}
