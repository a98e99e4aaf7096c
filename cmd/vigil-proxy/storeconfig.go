package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
)

// StoreConfig selects where durable state lives: bbolt in data_dir (the
// default) or PostgreSQL, shared by replicas.
type StoreConfig struct {
	URL          string   `yaml:"url" doc:"postgres://USER@HOST:5432/DB?sslmode=verify-full&sslrootcert=/etc/vigil/ca.pem keeps durable state in PostgreSQL, shared by replicas (empty: bbolt in data_dir); give the password with VIGIL_STORE_PASSWORD(_FILE)"`
	MaxStale     Duration `yaml:"max_stale" doc:"how long installs are judged against the last lists loaded while the store cannot be read (e.g. PostgreSQL unreachable); past it the replica refuses what it cannot judge and /readyz fails"`
	Replica      string   `yaml:"replica" doc:"this replica's name in audit events (default: the host name)"`
	Password     string   `yaml:"-" env:"VIGIL_STORE_PASSWORD" doc:"PostgreSQL password (environment only; replaces one in store.url)"`
	PasswordFile string   `yaml:"-" env:"VIGIL_STORE_PASSWORD_FILE" doc:"file holding the PostgreSQL password (environment only)"`
}

// postgres reports whether the PostgreSQL store is selected.
func (s StoreConfig) postgres() bool { return s.URL != "" }

func (s StoreConfig) validate() []error {
	var errs []error
	if s.URL != "" {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q: want postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…]", key("store.url"), redactURL(s.URL, false)))
		}
	}
	if s.MaxStale <= 0 {
		errs = append(errs, fmt.Errorf("%s: must be positive", key("store.max_stale")))
	}
	if s.Password != "" && s.PasswordFile != "" {
		errs = append(errs, errors.New("VIGIL_STORE_PASSWORD and VIGIL_STORE_PASSWORD_FILE are both set: use one"))
	}
	return errs
}

// password returns the configured password ("" when none), reading
// PasswordFile when set.
func (s StoreConfig) password() (string, error) {
	if s.Password != "" {
		return strings.TrimSpace(s.Password), nil
	}
	if s.PasswordFile == "" {
		return "", nil
	}
	return readSecretFile("VIGIL_STORE_PASSWORD_FILE", s.PasswordFile)
}

// replica returns the configured replica name or the host name.
func (s StoreConfig) replica() string {
	if s.Replica != "" {
		return s.Replica
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "vigil-proxy"
}

// describe names the store for logs, without secrets.
func (s StoreConfig) describe() string {
	if !s.postgres() {
		return "bolt"
	}
	return redactURL(s.URL, false)
}

// listsTTL is how long the proxy reuses a snapshot of the stored entries.
// Replicas are told about changes at once (NOTIFY); the short TTL bounds
// the delay should a notification be lost.
func (s StoreConfig) listsTTL() time.Duration {
	if s.postgres() {
		return time.Second
	}
	return 5 * time.Second
}
