package main

import (
	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/auth"
	"github.com/vigil-proxy/vigil-proxy/scanner/deps"
	"github.com/vigil-proxy/vigil-proxy/scanner/imports"
	"github.com/vigil-proxy/vigil-proxy/scanner/testquality"
)

// scannerCatalogue is the metadata of every rule the scanner can raise,
// for `vigil-proxy rules` and the admin UI's catalogue. Each rule family
// owns its metadata beside its code.
func scannerCatalogue() scanner.Catalogue {
	var c scanner.Catalogue
	c = append(c, testquality.Rules()...)
	c = append(c, auth.Rules()...)
	c = append(c, deps.Rules...)
	c = append(c, imports.Rule)
	c = append(c, scanner.SuppressionRule)
	return c.Sorted()
}
