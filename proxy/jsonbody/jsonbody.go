// Package jsonbody explains why a JSON request body could not be decoded,
// in the terms of the API a caller sees (a field and the JSON kind it
// takes), never in the Go types behind it.
package jsonbody

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// Problem explains err, an error from decoding a request body read through
// http.MaxBytesReader with limit bytes (0: no limit).
func Problem(err error, limit int64) string {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
		pe  *time.ParseError
	)
	switch {
	case errors.As(err, &mbe):
		n := max(limit, mbe.Limit)
		if n >= 1<<10 && n%(1<<10) == 0 {
			return fmt.Sprintf("request body is larger than %d KiB", n>>10)
		}
		return fmt.Sprintf("request body is larger than %d bytes", n)
	case errors.Is(err, io.EOF):
		return "request body is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: unexpected end of input"
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		field := strings.TrimPrefix(te.Field, ".")
		if field == "" {
			return "request body must be a JSON object"
		}
		return fmt.Sprintf("field %q must be a JSON %s", field, Kind(te.Type))
	case errors.As(err, &pe):
		return fmt.Sprintf("invalid time %q: want RFC 3339, e.g. 2026-01-31T12:00:00Z", pe.Value)
	case strings.Contains(err.Error(), "Time.UnmarshalJSON"):
		// (time.Time's own decoder reports a non-string without the field)
		return "a time must be a JSON string in RFC 3339 form, e.g. 2026-01-31T12:00:00Z"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}

// Kind names the JSON kind that decodes into t.
func Kind(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	if t == reflect.TypeFor[time.Time]() {
		return "string (RFC 3339 time)"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return Kind(t.Elem()) + " or null"
	case reflect.String:
		return "string"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Bool:
		return "boolean"
	case reflect.Interface:
		return "value"
	}
	return "number"
}
