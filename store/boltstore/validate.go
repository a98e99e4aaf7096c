package boltstore

import (
	"github.com/vigil-proxy/vigil-proxy/store"
)

// The checks are shared with every store implementation.
var (
	validateEntry   = store.ValidateEntry
	validStatus     = store.ValidStatus
	validateRequest = store.ValidateRequest
	validateWatch   = store.ValidateWatch
)
