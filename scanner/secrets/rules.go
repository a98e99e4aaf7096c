package secrets

import "github.com/vigil-proxy/vigil-proxy/scanner"

// Rule metadata of the SEC family (scanner-rules.md §1 and §2).
var (
	RulePlaceholder = scanner.RuleInfo{
		ID: "SEC-001", Name: "PlaceholderSecret", Title: "Placeholder or publicly known secret",
		Category: scanner.CategorySecrets, Severity: scanner.High, Security: true,
		CWE: []int{798, 1392}, Precision: "high",
		Description: "A secret-bearing setting (a name such as SECRET_KEY or password, or an argument of a signing, " +
			"HMAC or session function) holds a placeholder (changeme, your-api-key-here, <secret>) or a value that " +
			"documentation and tutorials print (FastAPI's example key, jsonwebtoken's 'shhhhh', express-session's " +
			"'keyboard cat', jwt.io's default). Anyone who has read the same page can forge sessions and tokens.",
		Impact: "Anyone who knows the published placeholder can sign tokens or sessions the application will trust.",
		Fix:    "Load the secret from the environment or a secret manager and fail at start-up when it is missing; generate it with `python -c 'import secrets; print(secrets.token_hex(32))'` or `openssl rand -hex 32`.",
		Bad:    `SECRET_KEY = "changeme"`,
		Good:   `SECRET_KEY = os.environ["SECRET_KEY"]  # fails fast when unset`,
		Tags:   []string{"security", "secrets"},
	}
	RuleLowEntropy = scanner.RuleInfo{
		ID: "SEC-002", Name: "LowEntropySecret", Title: "Weak (low-entropy) secret",
		Category: scanner.CategorySecrets, Severity: scanner.Medium, Security: true,
		CWE: []int{1391, 798}, Precision: "medium",
		Description: "A value that reaches a secret name or a secret sink is short, uses few distinct characters or " +
			"is made of dictionary words (mysecretkey, password123, jwt-secret). Such values are guessed by " +
			"dictionary and brute-force attacks on signed tokens in minutes; HS256 keys should carry at least 256 bits.",
		Impact: "A guessable signing key or password lets an attacker forge tokens or log in.",
		Fix:    "Use a random value of at least 32 bytes from a CSPRNG, kept outside the code.",
		Bad:    `jwt.sign(payload, "mysecretkey")`,
		Good:   `jwt.sign(payload, process.env.JWT_SECRET) // 64 random hex characters, set per environment`,
		Tags:   []string{"security", "secrets"},
	}
	RuleConnString = scanner.RuleInfo{
		ID: "SEC-003", Name: "ConnectionStringCredentials", Title: "Connection string with an inline password",
		Category: scanner.CategorySecrets, Severity: scanner.High, Security: true,
		CWE: []int{798}, Precision: "high",
		Description: "A database, broker, mail or HTTP URL carries a password in its userinfo " +
			"(postgres://app:s3cret@db.prod.internal/app). The credential travels with every copy of the code. " +
			"Severity is lower when the host is local (localhost, 127.0.0.1, compose service names).",
		Impact: "The committed URL gives direct access to the database or service it names.",
		Fix:    "Keep the whole URL (or at least the password) in the environment: `DATABASE_URL=${DATABASE_URL}`; templated passwords (`${DB_PASSWORD}`) are not reported.",
		Bad:    `engine = create_engine("postgresql://app:Pr0d-Passw0rd@db.prod.example.io/app")`,
		Good:   `engine = create_engine(os.environ["DATABASE_URL"])`,
		Tags:   []string{"security", "secrets"},
	}
	RuleEnvDefault = scanner.RuleInfo{
		ID: "SEC-004", Name: "SecretEnvironmentFallback", Title: "Environment lookup with a hard-coded secret fallback",
		Category: scanner.CategorySecrets, Severity: scanner.High, Security: true,
		CWE: []int{1188, 798}, Precision: "high",
		Description: "A secret is read from the environment with a literal default (`os.getenv(\"SECRET_KEY\", \"dev-secret\")`, " +
			"`process.env.JWT_SECRET || \"secret\"`, a pydantic BaseSettings field default). When the variable is " +
			"missing in production the application silently runs with the committed value instead of failing.",
		Impact: "A deployment that forgets the variable runs with a secret everyone who can read the code knows.",
		Fix:    "Read the variable without a default and fail at start-up when it is missing (`os.environ[\"SECRET_KEY\"]`; in JS throw when `process.env.X` is undefined); keep development values in an ignored .env file.",
		Bad:    `JWT_SECRET = os.getenv("JWT_SECRET", "dev-secret-change-in-production")`,
		Good:   `JWT_SECRET = os.environ["JWT_SECRET"]`,
		Tags:   []string{"security", "secrets"},
	}
	RuleSecretFile = scanner.RuleInfo{
		ID: "SEC-005", Name: "UnignoredSecretFile", Title: "Secret file not covered by .gitignore",
		Category: scanner.CategorySecrets, Severity: scanner.High, Security: true,
		CWE: []int{540, 538}, Precision: "high",
		Description: "A file that holds secrets by nature (.env, private keys, id_rsa, credentials.json, keystores, " +
			".npmrc or .pypirc with tokens) exists in the tree and no .gitignore covers it, so the next `git add .` " +
			"commits it. High when git already tracks it (a tracked file stays exposed even once listed in .gitignore); " +
			"medium when it is only untracked. .git/info/exclude counts as local-only.",
		Impact: "The secrets in this file are (or will be) published with the repository.",
		Fix:    "Add the file to .gitignore; if git tracks it, `git rm --cached` it, rotate the secrets it holds and commit a .env.example with placeholders instead.",
		Bad:    ".env committed next to the code",
		Good:   ".env listed in .gitignore; .env.example committed with empty values",
		Tags:   []string{"security", "secrets"},
	}
	RuleExampleCopy = scanner.RuleInfo{
		ID: "SEC-006", Name: "SecretCopiedFromExample", Title: "Secret value copied from .env.example",
		Category: scanner.CategorySecrets, Severity: scanner.Medium, Security: true,
		CWE: []int{1392, 1188}, Precision: "medium",
		Description: "A secret-ish setting in .env, or a secret default in code, has exactly the value that the " +
			"committed .env.example (.sample, .template, .dist) shows. The example is public, so the value is too.",
		Impact: "The running secret is the one printed in the repository's example file.",
		Fix:    "Generate a fresh value for every environment; keep example files with empty values or obvious placeholders.",
		Bad:    ".env.example: SECRET_KEY=s3cr3t-example\n.env:         SECRET_KEY=s3cr3t-example",
		Good:   ".env.example: SECRET_KEY=\n.env:         SECRET_KEY=<64 random hex characters>",
		Tags:   []string{"security", "secrets"},
	}
)

// AllRules is the SEC family's metadata.
func AllRules() []scanner.RuleInfo {
	return []scanner.RuleInfo{RulePlaceholder, RuleLowEntropy, RuleConnString, RuleEnvDefault, RuleSecretFile, RuleExampleCopy}
}
