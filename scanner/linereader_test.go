package scanner

import (
	"errors"
	"strings"
	"testing"
)

func TestLineReaderAnswersAsSplit(t *testing.T) {
	files := map[string]string{
		"a": "one\r\ntwo\n\nfour",
		"b": "x\n",
		"c": "",
		"d": "\n\n\n",
	}
	read := func(p string) ([]byte, error) {
		if c, ok := files[p]; ok {
			return []byte(c), nil
		}
		return nil, errors.New("unreadable")
	}
	r := lineReader{read: read}
	asks := []struct {
		path string
		line int
	}{{"a", 1}, {"a", 2}, {"a", 2}, {"a", 4}, {"a", 5}, {"a", 9}, {"a", 3}, {"b", 2}, {"b", 3}, {"c", 1}, {"c", 2}, {"gone", 1}, {"d", 4}, {"d", 1}, {"a", 4}}
	for _, ask := range asks {
		want := ""
		if c, ok := files[ask.path]; ok {
			if lines := strings.Split(c, "\n"); ask.line <= len(lines) {
				want = lines[ask.line-1]
			}
		}
		if got := r.text(ask.path, ask.line); got != want {
			t.Errorf("line %d of %s = %q, want %q", ask.line, ask.path, got, want)
		}
	}
}
