package auth

import (
	"regexp"
	"testing"
)

// The word pre-tests of the input regexps never change their answer.
var inputGuards = []struct {
	name string
	fast func(string) bool
	re   *regexp.Regexp
}{{"pyInput", pyInput, inputRE}, {"jsInput", jsInput, jsInputRE}}

var inputSeeds = []string{"", "request.form['x']", "req.body.token", "ctx.request.body", "user.password", "validated_data", "cleaned_data",
	"serializer", "self.json", "values[0]", "REQ", "requests", "a.data_b", "payload", "args.x", "input", "params", "query"}

func TestInputPreTestsNeverChangeTheAnswer(t *testing.T) {
	matched := 0
	for _, s := range inputSeeds {
		for _, g := range inputGuards {
			got, want := g.fast(s), g.re.MatchString(s)
			if got != want {
				t.Errorf("%s(%q) = %v, the regexp alone says %v", g.name, s, got, want)
			}
			if got {
				matched++
			}
		}
	}
	if matched == 0 {
		t.Fatal("no seed matches: the comparison proves nothing")
	}
}

func FuzzInputPreTests(f *testing.F) {
	for _, s := range inputSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, g := range inputGuards {
			if got, want := g.fast(s), g.re.MatchString(s); got != want {
				t.Fatalf("%s(%q) = %v, the regexp alone says %v", g.name, s, got, want)
			}
		}
	})
}
