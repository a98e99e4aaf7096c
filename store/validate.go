package store

import (
	"fmt"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// ValidStatus reports whether s is a request status.
func ValidStatus(s string) bool {
	return s == RequestPending || s == RequestApproved || s == RequestDenied
}

// SamePendingPackage reports whether a and b are both pending requests for
// one ecosystem, name and version: of such requests at most one is stored.
func SamePendingPackage(a, b Request) bool {
	return a.Status == RequestPending && b.Status == RequestPending &&
		a.Ecosystem == b.Ecosystem && a.Name == b.Name && a.Version == b.Version
}

// ValidateRequest checks the fields every stored request needs; problems
// wrap ErrInvalid.
func ValidateRequest(r Request) error {
	var problem string
	switch {
	case r.Ecosystem != policy.PyPI && r.Ecosystem != policy.NPM:
		problem = fmt.Sprintf("ecosystem %q: want %q or %q", r.Ecosystem, policy.PyPI, policy.NPM)
	case strings.TrimSpace(r.Name) == "":
		problem = "empty name"
	case !ValidStatus(r.Status):
		problem = fmt.Sprintf("status %q: want pending, approved or denied", r.Status)
	default:
		return nil
	}
	return fmt.Errorf("request: %s: %w", problem, ErrInvalid)
}

// ValidateWatch checks a watchlist key; problems wrap ErrInvalid.
func ValidateWatch(eco policy.Ecosystem, name string) error {
	switch {
	case eco != policy.PyPI && eco != policy.NPM:
		return fmt.Errorf("ecosystem %q: %w", eco, ErrInvalid)
	case name == "" || strings.ContainsRune(name, 0):
		return fmt.Errorf("name %q: %w", name, ErrInvalid)
	}
	return nil
}

// ValidateEntry checks an entry with policy.ValidateEntry, wrapping any
// problem with ErrInvalid.
func ValidateEntry(e policy.ListEntry) error {
	if err := policy.ValidateEntry(e); err != nil {
		return fmt.Errorf("%w entry: %w", ErrInvalid, err)
	}
	return nil
}
