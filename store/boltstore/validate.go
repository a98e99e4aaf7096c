package boltstore

import (
	"fmt"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// validateEntry checks an entry with policy.ValidateEntry, wrapping any
// problem with store.ErrInvalid.
func validateEntry(e policy.ListEntry) error {
	if err := policy.ValidateEntry(e); err != nil {
		return fmt.Errorf("%w entry: %w", store.ErrInvalid, err)
	}
	return nil
}

func validStatus(s string) bool {
	return s == store.RequestPending || s == store.RequestApproved || s == store.RequestDenied
}

// validateRequest checks the fields every stored request needs.
func validateRequest(r store.Request) error {
	var problem string
	switch {
	case r.Ecosystem != policy.PyPI && r.Ecosystem != policy.NPM:
		problem = fmt.Sprintf("ecosystem %q: want %q or %q", r.Ecosystem, policy.PyPI, policy.NPM)
	case strings.TrimSpace(r.Name) == "":
		problem = "empty name"
	case !validStatus(r.Status):
		problem = fmt.Sprintf("status %q: want pending, approved or denied", r.Status)
	default:
		return nil
	}
	return fmt.Errorf("request: %s: %w", problem, store.ErrInvalid)
}

// validateWatch checks a watchlist key.
func validateWatch(eco policy.Ecosystem, name string) error {
	switch {
	case eco != policy.PyPI && eco != policy.NPM:
		return fmt.Errorf("ecosystem %q: %w", eco, store.ErrInvalid)
	case name == "" || strings.ContainsRune(name, 0):
		return fmt.Errorf("name %q: %w", name, store.ErrInvalid)
	}
	return nil
}
