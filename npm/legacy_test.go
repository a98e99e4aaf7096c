package npm

import "testing"

func TestLegacyNames(t *testing.T) {
	l := LoadLegacyNames()
	if n := l.Len(); n != 141 {
		t.Errorf("LoadLegacyNames().Len() = %d, want the 141 names of npm/data/mixed-case-names.txt", n)
	}
	for name, want := range map[string]bool{
		"JSONStream": true,
		"jQuery":     true,
		"jsonstream": false, // exact spelling only
		"JSONSTREAM": false,
		"LODASH":     false,
		"lodash":     false,
		"":           false,
		"# npm packages whose names have capital letters: legacy names from before npm required": false,
	} {
		if got := l.Known(name); got != want {
			t.Errorf("Known(%q) = %v, want %v", name, got, want)
		}
	}
	var none *LegacyNames
	if none.Known("JSONStream") || none.Len() != 0 {
		t.Errorf("a nil *LegacyNames knows %d names (JSONStream: %v), want none", none.Len(), none.Known("JSONStream"))
	}
	p := parseLegacyNames("# header\n\n  Foo \r\nBar\n#Baz\nQux")
	for name, want := range map[string]bool{"Foo": true, "Bar": true, "Qux": true, "#Baz": false, "Baz": false, "# header": false} {
		if got := p.Known(name); got != want {
			t.Errorf("parsed list: Known(%q) = %v, want %v", name, got, want)
		}
	}
	if p.Len() != 3 {
		t.Errorf("parsed list has %d names, want 3", p.Len())
	}
}
