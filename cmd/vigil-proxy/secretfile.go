package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/vigil-proxy/vigil-proxy/admin"
	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// maxConfigFile bounds the YAML configuration file.
const maxConfigFile = 16 << 20

// maxSecretFile bounds a *_FILE secret: tokens, hashes and keys are short.
const maxSecretFile = 64 << 10

// readSecretFile reads the secret in the file named by the environment
// variable variable (a *_FILE setting): a regular file of at most 64 KiB,
// trimmed. Its errors name the variable and the file, never the content.
func readSecretFile(variable, path string) (string, error) {
	b, err := scanner.ReadRegularFile(path, maxSecretFile, "64 KiB")
	if err != nil {
		return "", &startupError{what: variable, file: path, err: err, fix: "point it at a readable file holding only the secret"}
	}
	return strings.TrimSpace(string(b)), nil
}

// adminRolePrefix is each role's environment variable prefix.
var adminRolePrefix = map[admin.Role]string{admin.RoleAdmin: "VIGIL_ADMIN", admin.RoleRequester: "VIGIL_REQUESTER", admin.RoleViewer: "VIGIL_VIEWER"}

// adminCredentials reads the admin surface's API tokens and UI users from
// the environment and checks their form, so that `serve` and `config`
// refuse the same values. No error quotes a secret.
func adminCredentials(getenv env) ([]admin.User, []admin.Token, error) {
	var users []admin.User
	var tokens []admin.Token
	for _, role := range []admin.Role{admin.RoleAdmin, admin.RoleRequester, admin.RoleViewer} {
		prefix := adminRolePrefix[role]
		tok, err := secret(getenv, prefix+"_TOKEN")
		if err != nil {
			return nil, nil, err
		}
		if tok != "" {
			if len(tok) < 16 {
				return nil, nil, fmt.Errorf("%s_TOKEN is too short: use at least 16 random characters (e.g. openssl rand -hex 24)", prefix)
			}
			tokens = append(tokens, admin.Token{Name: string(role) + "-token", Role: role, Secret: tok})
		}
		hash, err := secret(getenv, prefix+"_PASSWORD_HASH")
		if err != nil {
			return nil, nil, err
		}
		if hash != "" {
			if _, err := bcrypt.Cost([]byte(hash)); err != nil {
				return nil, nil, fmt.Errorf("%s_PASSWORD_HASH is not a bcrypt hash: create one with `vigil-proxy admin hash-password`", prefix)
			}
			name := string(role)
			if u, ok := getenv(prefix + "_USER"); ok && u != "" {
				name = u
			}
			users = append(users, admin.User{Name: name, Role: role, PasswordHash: hash})
		}
	}
	return users, tokens, nil
}

// checkAdminSecrets is what `vigil-proxy config` checks of the admin
// surface's secrets: the credentials' form and VIGIL_SESSION_KEY's length,
// and that every *_FILE among them can be read.
func checkAdminSecrets(cfg Config, getenv env) error {
	if cfg.Admin.Listen == "" {
		return nil
	}
	users, tokens, err := adminCredentials(getenv)
	if err != nil || len(users)+len(tokens) == 0 {
		return err
	}
	if err := cfg.adminAddressProblem(); err != nil {
		return err
	}
	k, err := secret(getenv, "VIGIL_SESSION_KEY")
	if err != nil {
		return err
	}
	if k != "" && len(k) < 32 {
		return errors.New("VIGIL_SESSION_KEY is shorter than 32 characters: use e.g. openssl rand -hex 32")
	}
	if cfg.Store.postgres() && len(users) > 0 && k == "" {
		return fmt.Errorf("VIGIL_SESSION_KEY is required with %s: every replica must sign UI sessions with the same key (e.g. openssl rand -hex 32)", key("store.url"))
	}
	whSecret, err := secret(getenv, "VIGIL_WEBHOOK_SECRET")
	if err != nil {
		return err
	}
	if cfg.Webhook.URL != "" && whSecret == "" {
		return fmt.Errorf("%s is set but VIGIL_WEBHOOK_SECRET is not: the webhook needs a signing secret", key("webhook.url"))
	}
	return nil
}

// openRegular opens a regular file for reading (scanner.OpenRegular),
// naming the path in every error.
func openRegular(path string) (*os.File, error) {
	f, err := scanner.OpenRegular(path)
	if _, ok := errors.AsType[*fs.PathError](err); err != nil && !ok {
		err = fmt.Errorf("open %s: %w", path, err)
	}
	return f, err
}
