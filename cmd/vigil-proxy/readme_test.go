package main

import (
	"os"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// TestREADMEDocumentsEverySettingAndRule keeps the README's configuration
// and rule references true: every environment variable and rule ID the code
// knows is documented there.
func TestREADMEDocumentsEverySettingAndRule(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	c := defaultConfig()
	for _, v := range envVars(&c) {
		key := "`" + v.Key + "`"
		if strings.HasPrefix(v.Key, "(") {
			key = v.Key
		}
		row := "| `" + v.Name + "` | " + key + " | " + v.Doc + " |"
		if !strings.Contains(readme, row) {
			t.Errorf("README configuration table lacks the row\n%s", row)
		}
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(readme, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) == 5 && strings.Contains(cells[0], "-0") {
			rows[cells[0]] = cells[2:]
		}
	}
	for _, info := range policy.Catalogue() {
		cells, ok := rows[info.ID]
		if !ok {
			t.Errorf("README rule table lacks %s", info.ID)
			continue
		}
		for i, s := range policy.Strategies() {
			want := string(policy.DefaultSettings(s).Action(info.ID))
			if got, _, _ := strings.Cut(cells[i], ","); strings.TrimSpace(got) != want {
				t.Errorf("README says %s is %q under %s, the code says %q", info.ID, got, s, want)
			}
		}
	}
	for _, s := range policy.Strategies() {
		if !strings.Contains(readme, string(s)) {
			t.Errorf("README does not mention strategy %s", s)
		}
	}
	if strings.Contains(readme, "PLACEHOLDER") {
		t.Error("README still has a placeholder")
	}
}
