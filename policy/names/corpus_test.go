package names

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

func TestLoadEmbedded(t *testing.T) {
	t.Parallel()
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatalf("LoadEmbedded: %v", err)
	}
	if c.Len() < 70000 || len(c.PyPI) < 14000 || len(c.NPM) < 55000 {
		t.Errorf("LoadEmbedded: %d PyPI + %d npm names, want ≥ 14000 + 55000", len(c.PyPI), len(c.NPM))
	}
	if got := c.PyPI[0]; got.Name != "boto3" || got.Rank != 1 {
		t.Errorf("first PyPI entry = %+v, want boto3 rank 1", got)
	}
	if got := c.NPM[0]; got.Name != "semver" || got.Rank != 1 || got.Monthly != 2399072936 {
		t.Errorf("first npm entry = %+v, want semver rank 1", got)
	}
}

func TestCorpusRoundTrip(t *testing.T) {
	t.Parallel()
	pypi := []Entry{{Name: "requests", Rank: 1, Monthly: 900}, {Name: "zope-interface", Rank: 2}}
	npm := []Entry{{Name: "lodash", Monthly: 500}, {Name: "@babel/core", Monthly: 400}}
	var buf bytes.Buffer
	if err := WriteCorpus(&buf, pypi, npm); err != nil {
		t.Fatalf("WriteCorpus: %v", err)
	}
	c, err := LoadCorpus(&buf)
	if err != nil {
		t.Fatalf("LoadCorpus: %v", err)
	}
	want := &Corpus{PyPI: pypi, NPM: []Entry{{"lodash", 1, 500, RoleTarget}, {"@babel/core", 2, 400, RoleTarget}}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadCorpusPlain(t *testing.T) {
	t.Parallel()
	in := corpusHeaderV1 + "\npypi\tZope.Interface\t1\t0\nnpm\tleft-pad\t1\t10\n"
	c, err := LoadCorpus(strings.NewReader(in))
	if err != nil {
		t.Fatalf("LoadCorpus: %v", err)
	}
	if len(c.PyPI) != 1 || c.PyPI[0].Name != "zope-interface" || len(c.NPM) != 1 || c.NPM[0].Monthly != 10 {
		t.Errorf("LoadCorpus = %+v", c)
	}
}

func TestLoadCorpusErrors(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("not a corpus\n"))
	zw.Close()
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"no header", []byte("pypi\tx\t1\t0\n"), "header"},
		{"gzip no header", gz.Bytes(), "header"},
		{"short line", []byte(corpusHeaderV1 + "\npypi\tx\n"), "4 fields"},
		{"short v2 line", []byte(corpusHeader + "\npypi\tx\t1\t0\n"), "5 fields"},
		{"bad eco", []byte(corpusHeaderV1 + "\ncargo\tx\t1\t0\n"), "unknown ecosystem"},
		{"bad rank", []byte(corpusHeaderV1 + "\npypi\tx\tone\t0\n"), "bad rank"},
		{"unranked target", []byte(corpusHeader + "\npypi\tx\t0\t0\ttarget\n"), "bad rank"},
		{"bad role", []byte(corpusHeader + "\npypi\tx\t1\t0\tboss\n"), "bad role"},
		{"bad name", []byte(corpusHeader + "\npypi\tx y\t1\t0\ttarget\n"), "bad name"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0}, "read corpus"},
	}
	for _, tc := range tests {
		_, err := LoadCorpus(bytes.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: LoadCorpus error = %v, want containing %q", tc.name, err, tc.want)
		}
	}
}

// TestLoadCorpusV2 reads both roles, an unranked known name, and v1 files
// as all-target corpora.
func TestLoadCorpusV2(t *testing.T) {
	t.Parallel()
	in := corpusHeader + "\npypi\tRequests\t1\t0\ttarget\npypi\tsome-lib\t0\t0\tknown\nnpm\tleft-pad\t7\t900\tknown\nnpm\tcrossenv\t0\t0\tremoved\n"
	c, err := LoadCorpus(strings.NewReader(in))
	if err != nil {
		t.Fatalf("LoadCorpus: %v", err)
	}
	want := &Corpus{
		PyPI: []Entry{{"requests", 1, 0, RoleTarget}, {"some-lib", 0, 0, RoleKnown}},
		NPM:  []Entry{{"left-pad", 7, 900, RoleKnown}, {"crossenv", 0, 0, RoleRemoved}},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("LoadCorpus v2 mismatch (-want +got):\n%s", diff)
	}
	// and back: WriteCorpus keeps roles and the missing rank
	data, err := c.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	back, err := LoadCorpus(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("LoadCorpus(Encode): %v", err)
	}
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("v2 round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestWriteCorpusRejectsBadNames(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteCorpus(&buf, []Entry{{Name: "a\tb"}}, nil); err == nil {
		t.Error("WriteCorpus with a tab in a name: nil error")
	}
}

func TestBuildFromTSV(t *testing.T) {
	t.Parallel()
	pypi := "rank\tname\n2\tZope.Interface\n1\tboto3\n"
	npm := "name\tdownloads_a_month\nsmall\t10\n@Babel/Core\t300\nbig\t300\nbig\t5\n"
	c, err := BuildFromTSV(strings.NewReader(pypi), strings.NewReader(npm))
	if err != nil {
		t.Fatalf("BuildFromTSV: %v", err)
	}
	want := &Corpus{
		PyPI: []Entry{{"boto3", 1, 0, RoleTarget}, {"zope-interface", 2, 0, RoleTarget}},
		NPM:  []Entry{{"@babel/core", 1, 300, RoleTarget}, {"big", 2, 300, RoleTarget}, {"small", 3, 10, RoleTarget}},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("BuildFromTSV mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []struct{ pypi, npm string }{
		{"rank\tname\nx\tboto3\n", "name\tdownloads_a_month\n"},
		{"rank\tname\n1\tbad name\n", "name\tdownloads_a_month\n"},
		{"rank\tname\n", "name\tdownloads_a_month\nx\tmany\n"},
		{"rank\tname\n1\n", "name\tdownloads_a_month\n"},
	} {
		if _, err := BuildFromTSV(strings.NewReader(bad.pypi), strings.NewReader(bad.npm)); err == nil {
			t.Errorf("BuildFromTSV(%q, %q): nil error", bad.pypi, bad.npm)
		}
	}
}

func TestIndexOnTinyCorpus(t *testing.T) {
	t.Parallel()
	c := &Corpus{
		PyPI: []Entry{{Name: "requests", Rank: 1}, {Name: "tiny-lib", Rank: 9000}},
		NPM:  []Entry{{Name: "lodash", Rank: 1, Monthly: 50_000_000}, {Name: "leftpad", Rank: 2, Monthly: 3_000_000}},
	}
	ix := NewIndex(c)
	tests := []struct {
		eco  policy.Ecosystem
		name string
		ok   bool
		conf Confidence
	}{
		{policy.PyPI, "reqests", true, High},
		{policy.PyPI, "tiny-lb", true, Low},   // a slip on a lower-tier target warns
		{policy.PyPI, "tiny-lib-x", false, 0}, // no family
		{policy.NPM, "lodas", true, High},     // block tier
		{policy.NPM, "leftpadd", true, High},  // middle tier, unknown candidate: blocks
		{policy.NPM, "left-pad", true, Low},   // separator-only on npm: legacy names, a warning
	}
	for _, tc := range tests {
		m, ok := ix.Typosquat(tc.eco, tc.name)
		if ok != tc.ok || m.Confidence != tc.conf {
			t.Errorf("Typosquat(%s, %q) = %+v, %v; want ok=%v confidence %v", tc.eco, tc.name, m, ok, tc.ok, tc.conf)
		}
	}
}

// FuzzLoadCorpus: any corpus file (names.corpus_file is operator input)
// either fails with an error or loads into a corpus that encodes and loads
// back unchanged and indexes without panicking.
func FuzzLoadCorpus(f *testing.F) {
	f.Add([]byte(corpusHeader + "\npypi\tRequests\t1\t0\ttarget\nnpm\tleft-pad\t0\t9\tknown\n"))
	f.Add([]byte(corpusHeaderV1 + "\npypi\tboto3\t1\t0\nnpm\t@babel/core\t2\t400\n"))
	f.Add([]byte(corpusHeader + "\nnpm\tx\t-1\t0\ttarget\n"))
	f.Add([]byte(corpusHeader + "\nnpm\tcrossenv\t0\t0\tremoved\nnpm\tcross-env\t1\t90000000\ttarget\nnpm\tcrossenv\t3\t10\tknown\n"))
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := LoadCorpus(bytes.NewReader(data))
		if err != nil {
			return
		}
		enc, err := c.Encode()
		if err != nil {
			t.Fatalf("Encode of a loaded corpus: %v", err)
		}
		back, err := LoadCorpus(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("LoadCorpus(Encode(c)): %v", err)
		}
		if diff := cmp.Diff(c, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip mismatch (-loaded +reloaded):\n%s", diff)
		}
		ix := NewIndex(c)
		for _, e := range c.NPM {
			ix.Typosquat(policy.NPM, e.Name)
		}
		for _, e := range c.PyPI {
			ix.Typosquat(policy.PyPI, e.Name)
		}
	})
}

// TestV1CorpusNamesStayPopular: an operator's v1 corpus names without a
// download count keep exempting themselves, as every v1 name did.
func TestV1CorpusNamesStayPopular(t *testing.T) {
	t.Parallel()
	c, err := LoadCorpus(strings.NewReader(corpusHeaderV1 + "\nnpm\tlodash\t1\t50000000\nnpm\tlodahs-internal\t2\t0\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(c)
	if _, _, ok := ix.Popular(policy.NPM, "lodahs-internal"); !ok {
		t.Error("v1 name without a count is not popular")
	}
	if m, ok := ix.Typosquat(policy.NPM, "lodahs-internal"); ok {
		t.Errorf("v1 name flagged as a typosquat of %q", m.Target)
	}
	v2, err := LoadCorpus(strings.NewReader(corpusHeader + "\nnpm\tlodash\t1\t50000000\ttarget\nnpm\tsmall-thing\t2\t900\tknown\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix2 := NewIndex(v2)
	if _, _, ok := ix2.Popular(policy.NPM, "small-thing"); ok {
		t.Error("a known npm name with 900 downloads a month is popular")
	}
	if _, m, ok := ix2.Known(policy.NPM, "small-thing"); !ok || m != 900 {
		t.Errorf("Known(small-thing) = %d, %v; want 900, true", m, ok)
	}
}
