// Package npm is vigil-proxy's npm adapter at the protocol level: package
// names and request paths (scopes, %2f), a streaming packument parser that
// extracts the facts the policy rules need, a byte-preserving packument filter
// (hide versions, re-point dist-tags, deprecation warnings, tarball URL
// rewriting, abbreviated "corgi" projection), repository URL normalization
// and a streaming tarball integrity verifier.
//
// It is pure protocol code over byte slices and strings, without HTTP
// handlers or a server framework; the proxy package wires it into routes.
package npm
