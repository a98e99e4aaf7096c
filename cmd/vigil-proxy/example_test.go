package main

import (
	"os"
	"slices"
	"testing"
)

// deploy/config.example.yaml "shows every key with its default" (README):
// a key added to Config without a line there fails here.
func TestExampleConfigShowsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../../deploy/config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	shown := yamlKeys(b)
	c := defaultConfig()
	for _, ev := range envVars(&c) {
		if ev.Key == "(environment only)" {
			continue
		}
		if !slices.Contains(shown, ev.Key) {
			t.Errorf("deploy/config.example.yaml does not show %s (%s)", ev.Key, ev.Name)
		}
	}
}
