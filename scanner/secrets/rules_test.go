package secrets

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// want is one expected finding: rule, path, line and (when set) severity.
type want struct {
	rule, path string
	line       int
	sev        string
}

type ruleCase struct {
	name    string
	files   map[string]string
	git     bool
	tracked []string
	opts    Options
	want    []want // nil: no SEC finding at all
	secret  string // never printed whole in a message or snippet
}

func runCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := scanTree(t, tc.files, tc.opts, tc.git, tc.tracked...)
			got := secFindings(res)
			var gotW []want
			for _, f := range got {
				gotW = append(gotW, want{f.Rule, f.Path, f.Line, f.Severity.String()})
				if tc.secret != "" && (strings.Contains(f.Message, tc.secret) || strings.Contains(f.Snippet, tc.secret)) {
					t.Errorf("finding prints the whole secret: %s | %s", f.Message, f.Snippet)
				}
			}
			wantW := slices.Clone(tc.want)
			for i := range wantW {
				if wantW[i].sev == "" && i < len(gotW) {
					// severity not asserted: take the matching finding's
					for _, g := range gotW {
						if g.rule == wantW[i].rule && g.path == wantW[i].path && g.line == wantW[i].line {
							wantW[i].sev = g.sev
						}
					}
				}
			}
			if diff := cmp.Diff(wantW, gotW, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("findings (-want +got):\n%s\nall:%s", diff, describe(got))
			}
		})
	}
}

func py(src string) map[string]string { return map[string]string{"app/settings.py": src} }
func js(src string) map[string]string { return map[string]string{"web/server.js": src} }

func TestSEC001Placeholder(t *testing.T) {
	runCases(t, []ruleCase{
		// positives
		{name: "changeme", files: py("SECRET_KEY = \"changeme\"\n"), want: []want{{"SEC-001", "app/settings.py", 1, "high"}}, secret: "changeme"},
		{name: "fastapi tutorial key", files: py("SECRET_KEY = \"09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7\"\n"),
			want: []want{{"SEC-001", "app/settings.py", 1, "high"}}, secret: "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"},
		{name: "keyboard cat in a config object", files: js("module.exports = {\n  sessionSecret: 'keyboard cat',\n};\n"),
			want: []want{{"SEC-001", "web/server.js", 2, ""}}, secret: "keyboard cat"},
		{name: "shhhhh passed to createHmac", files: js("const crypto = require('node:crypto');\nconst h = crypto.createHmac('sha256', 'shhhhh');\n"),
			want: []want{{"SEC-001", "web/server.js", 2, ""}}, secret: "shhhhh"},
		{name: "flask docs byte key", files: py("from flask import Flask\napp = Flask(__name__)\napp.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'\n"),
			want: []want{{"SEC-001", "app/settings.py", 3, ""}}, secret: `_5#y2L"F4Q8z\n\xec]/`},
		{name: "yaml your-…-here", files: map[string]string{"config/app.yaml": "jwt:\n  secret: your-jwt-secret-here\n"},
			want: []want{{"SEC-001", "config/app.yaml", 2, ""}}, secret: "your-jwt-secret-here"},
		{name: ".env angle placeholder", files: map[string]string{".env": "PORT=8000\nAPI_KEY=<your-api-key>\n"},
			want: []want{{"SEC-001", ".env", 2, ""}}, secret: "<your-api-key>"},
		{name: "django-insecure prefix", files: py("SECRET_KEY = 'django-insecure-k2#9x!l0p@q8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3j2k1l0'\n"),
			want: []want{{"SEC-001", "app/settings.py", 1, ""}}},
		{name: "typescript jwt.io default", files: map[string]string{"src/auth.ts": "export const JWT_SECRET: string = \"your-256-bit-secret\";\n"},
			want: []want{{"SEC-001", "src/auth.ts", 1, ""}}, secret: "your-256-bit-secret"},
		{name: "config subscript dev-…-change-in-production", files: py("app.config[\"SECRET_KEY\"] = \"dev-secret-change-in-production\"\n"),
			want: []want{{"SEC-001", "app/settings.py", 1, ""}}, secret: "dev-secret-change-in-production"},
		{name: "user known-public value", files: py("API_KEY = \"Acme9SharedDemoKey7\"\n"), opts: Options{KnownPublicSecrets: []string{"Acme9SharedDemoKey7"}},
			want: []want{{"SEC-001", "app/settings.py", 1, ""}}, secret: "Acme9SharedDemoKey7"},
		{name: "user placeholder pattern", files: py("API_KEY = \"acme-fill-me\"\n"), opts: Options{PlaceholderPatterns: []string{`acme-fill-\w+`}},
			want: []want{{"SEC-001", "app/settings.py", 1, ""}}},
		{name: "guarded placeholder downgraded", files: py("SECRET_KEY = \"changeme\"\nif SECRET_KEY == \"changeme\" and not DEBUG:\n    raise RuntimeError(\"set SECRET_KEY\")\n"),
			want: []want{{"SEC-001", "app/settings.py", 1, "medium"}}},
		{name: "test file one level lower", files: map[string]string{"tests/test_app.py": "SECRET_KEY = \"changeme\"\n"},
			want: []want{{"SEC-001", "tests/test_app.py", 1, "medium"}}},
		{name: "placeholder password in a database URL", files: py("DB = \"postgresql://app:password@db.acme.io/app\"\n"),
			want: []want{{"SEC-001", "app/settings.py", 1, "high"}}},
		{name: "NestJS docs jwtConstants (a sentence, yet public)", files: map[string]string{"src/auth/constants.ts": "export const jwtConstants = {\n  secret: 'DO NOT USE THIS VALUE. INSTEAD, CREATE A COMPLEX SECRET AND KEEP IT SAFE OUTSIDE OF THE SOURCE CODE.',\n};\n"},
			want: []want{{"SEC-001", "src/auth/constants.ts", 2, "high"}}},
		{name: "vendor prefix with x filler", files: py("OPENAI_API_KEY = \"sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx\"\nSTRIPE_SECRET_KEY = \"sk_test_XXXXXXXXXXXXXXXXXXXXXXXX\"\nGITHUB_TOKEN = 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n"),
			want: []want{{"SEC-001", "app/settings.py", 1, "high"}, {"SEC-001", "app/settings.py", 2, "high"}, {"SEC-001", "app/settings.py", 3, "high"}}},
		{name: "Stripe SDK given a placeholder key", files: map[string]string{
			"web/pay.js":     "const stripe = require('stripe')('sk_test_XXXXXXXXXXXXXXXXXXXXXXXX');\n",
			"web/billing.ts": "import Stripe from 'stripe';\nexport const client = new Stripe('sk_test_your_key_here', { apiVersion: '2024-06-20' });\n",
			"app/pay.py":     "import stripe\nclient = stripe.StripeClient(\"sk_test_xxxxxxxxxxxxxxxxxxxxxxxx\")\n"},
			want: []want{{"SEC-001", "app/pay.py", 2, "high"}, {"SEC-001", "web/billing.ts", 2, "high"}, {"SEC-001", "web/pay.js", 1, "high"}}},
		{name: "Stripe SDK given the environment", files: map[string]string{
			"web/pay.js": "const stripe = require('stripe')(process.env.STRIPE_SECRET_KEY);\nconst other = require('./stripe')('sk_test_XXXXXXXXXXXXXXXX');\n"}},
		{name: "replace-me key with base64 padding", files: py("from cryptography.fernet import Fernet\nf = Fernet(b\"REPLACE_WITH_GENERATED_KEY==\")\n"),
			want: []want{{"SEC-001", "app/settings.py", 2, "high"}}},
		{name: "framework docs' example secrets", files: map[string]string{
			"app/server.py":  "from sanic import Sanic\napp = Sanic(\"blog\")\napp.config.SECRET = \"KEEP_IT_SECRET_KEEP_IT_SAFE\"\n",
			"app/wiki.py":    "import tornado.web\nsettings = {\"cookie_secret\": \"__TODO:_GENERATE_YOUR_OWN_RANDOM_VALUE_HERE__\", \"login_url\": \"/login\"}\n",
			"app/chat.py":    "SESSION_SECRET = b'Thirty  two  length  bytes  key.'\n",
			"config/s3.yaml": "s3:\n  access_key_id: AKIAIOSFODNN7EXAMPLE\n  secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"},
			want: []want{{"SEC-001", "app/chat.py", 1, "high"}, {"SEC-001", "app/server.py", 3, "high"}, {"SEC-001", "app/wiki.py", 2, "high"}, {"SEC-001", "config/s3.yaml", 3, "high"}}},
		{name: "vendor prefix then an instruction", files: map[string]string{
			".env":            "OPENAI_API_KEY=sk-your-openai-api-key\n",
			"config/app.yaml": "stripe:\n  secret_key: sk_test_your_stripe_key\n"},
			want: []want{{"SEC-001", ".env", 1, "high"}, {"SEC-001", "config/app.yaml", 2, "high"}}},
		{name: "literals behind encode and decode calls", files: py("import base64\nAPI_TOKEN = \"changeme\".encode()\nSESSION_SECRET = base64.urlsafe_b64decode(b\"Thirty  two  length  bytes  key.\")\nSTRIPE_API_KEY = bytes.fromhex(\"your-key-here\")\n"),
			want: []want{{"SEC-001", "app/settings.py", 2, "high"}, {"SEC-001", "app/settings.py", 3, "high"}, {"SEC-001", "app/settings.py", 4, "high"}}},
		{name: "literals in parentheses, bytes(…, encoding) and literal concatenation", files: py("JWT_SECRET = (\n    \"changeme\"\n)\nSIGNING_KEY = bytes(\"your-signing-key-here\", \"utf-8\")\nAPI_TOKEN = \"replace\" + \"-me\"\nSESSION_SECRET = (\"change\" \"me\")\n"),
			want: []want{{"SEC-001", "app/settings.py", 2, "high"}, {"SEC-001", "app/settings.py", 4, "high"}, {"SEC-001", "app/settings.py", 5, "high"}, {"SEC-001", "app/settings.py", 6, "high"}}},
		{name: "a literal joined to a value read elsewhere is no literal secret", files: py("import os\nAPI_TOKEN = \"changeme\" + os.environ[\"SUFFIX\"]\nSIGNING_KEY = bytes(os.environ[\"KEY\"], \"utf-8\")\n")},
		{name: "placeholders in a list of secrets (Django's SECRET_KEY_FALLBACKS, rotated session secrets)",
			files: map[string]string{
				"app/settings.py": "SECRET_KEY_FALLBACKS = [\n    \"changeme\",\n]\nSESSION_SECRETS = (\"your-session-secret-here\",)\n",
				"web/server.js":   "module.exports = {\n  sessionSecrets: [process.env.SESSION_SECRET, 'changeme'],\n}\n"},
			want: []want{{"SEC-001", "app/settings.py", 2, "high"}, {"SEC-001", "app/settings.py", 4, "high"}, {"SEC-001", "web/server.js", 2, "high"}}},
		{name: "password word lists are no secrets", files: map[string]string{
			"app/validators.py": "COMMON_PASSWORDS = [\"password\", \"123456\"]\nREDACTED_SECRETS = [\"password\", \"secret\"]\nPASSWORDS = [\"password\", \"123456\", \"qwerty\", \"letmein\"]\nstop_tokens = [\"<|end|>\"]\n",
			"web/server.js":     "const bannedPasswords = ['changeme', 'password'];\nmodule.exports = { bannedPasswords };\n"}},
		{name: "JS literals behind encode and decode calls", files: js("const SESSION_SECRET = Buffer.from('changeme');\nconst JWT_SECRET = new TextEncoder().encode('your-jwt-secret-here');\nconst API_KEY = Buffer.from('Y2hhbmdlbWU=', 'base64').toString();\n"),
			want: []want{{"SEC-001", "web/server.js", 1, "high"}, {"SEC-001", "web/server.js", 2, "high"}}},
		{name: "JS environment values behind encode calls", files: js("const SESSION_SECRET = Buffer.from(process.env.SESSION_SECRET);\nconst JWT_SECRET = new TextEncoder().encode(process.env.JWT_SECRET);\nconst NAME = Buffer.from('changeme');\n")},
		{name: "environment values behind encode and decode calls", files: py("import base64, os\nAPI_TOKEN = os.environ[\"API_TOKEN\"].encode()\nSESSION_SECRET = base64.urlsafe_b64decode(os.environ[\"SESSION_SECRET\"])\nNAME = \"changeme\".encode()\n")},
		// negatives (scanner-rules.md §7 traps)
		{name: "real-looking vendor keys and settings read from the environment", files: map[string]string{
			".env":           "OPENAI_API_KEY=sk-proj-Yr8dK2pQ7vLm4Nx9Tb3Wc6Hf1Jz5Ga0Se\n",
			"app/wiki.py":    "import os\nsettings = {\"cookie_secret\": os.environ[\"COOKIE_SECRET\"]}\n",
			"config/s3.yaml": "s3:\n  access_key_id: AKIA4J7QW2ZL5MXR8TNV\n"}},
		{name: "NextToken pagination key", files: py("params = {}\nparams[\"NextToken\"] = \"NextToken\"\nNextToken = \"NextToken\"\n")},
		{name: "token_type Bearer", files: py("token_type = \"Bearer\"\nresp = {\"access_token\": tok, \"token_type\": \"bearer\"}\n")},
		{name: "error message", files: py("token_fail_reason = \"Token is missing or expired.\"\npassword_error = \"Password must be set\"\n")},
		{name: "URL and path values", files: py("PASSWORD_RESET_URL = \"https://example.com/reset\"\nsecret_path = \"/run/secrets/db\"\nSECRET_FILE = \"secret.key\"\n")},
		{name: "cache keys and CamelCase", files: py("token = \"user:token:\"\nAPI_TOKEN = \"CreateToken\"\nsecret = \"cache_secret_\"\n")},
		{name: "templates", files: map[string]string{"deploy/app.yaml": "secret: ${SECRET_KEY}\npassword: \"{{ vault_password }}\"\n", "app/x.py": "password = \"%(password)s\"\n"}},
		{name: "empty and env lookups", files: py("import os\nSECRET_KEY = \"\"\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\n")},
		{name: "mask in a log call", files: js("log.verbose('login', { ...body, password: 'XXXXX' })\n")},
		{name: "field-name constant", files: py("PASSWORD = \"password\"\nACCESS_TOKEN = \"access_token\"\n")},
		{name: "example file not judged", files: map[string]string{".env.example": "SECRET_KEY=changeme\nAPI_KEY=your-api-key-here\n"}},
		{name: "local sign is not jsonwebtoken", files: js("import { sign } from './pdf';\nsign(doc, 'shhhhh');\n")},
		{name: "signing sinks belong to AUTH-004", files: js("const jwt = require('jsonwebtoken');\nconst session = require('express-session');\napp.use(session({ secret: 'keyboard cat' }));\njwt.sign({ foo: 'bar' }, 'shhhhh');\n")},
		{name: "python signing sinks belong to AUTH-004", files: py("import jwt\nfrom starlette.middleware.sessions import SessionMiddleware\njwt.encode(p, \"secret\", algorithm=\"HS256\")\napp.add_middleware(SessionMiddleware, secret_key=\"changeme\")\n")},
		{name: "metasyntactic stand-ins", files: py("aws_secret_access_key = 'bar'\nAWS_SECRET_ACCESS_KEY = \"FOOBARKEY\"\n"), want: []want{{"SEC-001", "app/settings.py", 1, ""}, {"SEC-001", "app/settings.py", 2, ""}}},
		{name: "lexer tokens", files: py("token = \"(\"\ntoken = \"def\"\n")},
		{name: "weak-name placeholders must name a secret", files: py("problematic_token = \"<EOF>\"\npaginator = {\"input_token\": \"token\"}\n")},
		{name: "type names and one-letter codes", files: py("m = {\"AWS::IAM::AccessKey\": \"72c2b3a1d0e9f8c7\", \"CREDENTIALS_STS_TOKEN\": \"h\"}\nACCESS_KEY = 'AWSAccessKeyId'\n")},
		{name: "translations and labels", files: map[string]string{"locales/de.json": "{\"login\": {\"password\": \"Passwort\", \"secret\": \"Geheimnis\"}}\n", "locales/es.yaml": "password: Contraseña\n"}},
		{name: "OpenAPI example", files: map[string]string{"openapi.yaml": "components:\n  schemas:\n    Login:\n      example:\n        username: alice\n        password: secret123\n"}},
	})
}

func TestSEC002LowEntropy(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "short api key", files: py("API_KEY = \"abc123def\"\n"), want: []want{{"SEC-002", "app/settings.py", 1, "medium"}}, secret: "abc123def"},
		{name: "createHmac short key", files: js("import crypto from 'crypto';\ncrypto.createHmac('sha256', 'hello-world-key');\n"), want: []want{{"SEC-002", "web/server.js", 2, ""}}, secret: "hello-world-key"},
		{name: "ts private class field", files: map[string]string{"src/k.ts": "class Keys {\n  private apiKey = \"k3y-2024\";\n}\n"}, want: []want{{"SEC-002", "src/k.ts", 2, ""}}},
		{name: "short password", files: py("DB_PASSWORD = \"Summer2024\"\n"), want: []want{{"SEC-002", "app/settings.py", 1, ""}}, secret: "Summer2024"},
		{name: "dictionary words", files: py("SECRET_KEY = \"keyboardwarriorsunshinedragonmagic\"\n"), want: []want{{"SEC-002", "app/settings.py", 1, ""}}},
		{name: "few distinct characters in yaml", files: map[string]string{"config.yml": "auth:\n  api_key: aaaabbbbccccdddd1111\n"}, want: []want{{"SEC-002", "config.yml", 2, ""}}},
		{name: "hmac short key", files: py("import hmac\nh = hmac.new(b\"short-key\", msg, \"sha256\")\n"), want: []want{{"SEC-002", "app/settings.py", 2, ""}}},
		{name: ".env dictionary secret", files: map[string]string{".env": "SESSION_SECRET=flasksessionsecuritywelcome\n"}, want: []want{{"SEC-002", ".env", 1, ""}}},
		{name: "json client secret", files: map[string]string{"oauth.json": "{\n  \"web\": {\n    \"client_secret\": \"abcabcabcabcabcabcab\"\n  }\n}\n"}, want: []want{{"SEC-002", "oauth.json", 3, ""}}},
		{name: "toml password", files: map[string]string{"app.toml": "[db]\nhost = \"db\"\npassword = \"Rover2019\"\n"}, want: []want{{"SEC-002", "app.toml", 3, ""}}},
		{name: "ini password", files: map[string]string{"setup.cfg": "[server]\nuser = admin\npassword = letmein99\n"}, want: []want{{"SEC-002", "setup.cfg", 3, ""}}},
		// negatives
		{name: "random hex key", files: py("SECRET_KEY = \"3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a\"\n")},
		{name: "random base62 key", files: py("api_key = \"Zq8xV2mK9pL4rT7wY1nB6cH3jF5gD0sA\"\n")},
		{name: "weak name only", files: py("token = \"abc\"\ncache_key = \"abc\"\n")},
		{name: "password hash", files: py("password_hash = \"$2b$12$MaEi1YGqfFyp.lf0IR6mJulnX.HaT/ZhyT4vvy8LAzRPo.tHYmOoS\"\nhashed_password = \"abc\"\n")},
		{name: "metadata names", files: py("PASSWORD_MIN_LENGTH = \"8\"\nis_password = \"yes\"\napi_key_header = \"X-API-Key\"\n")},
		{name: "template password", files: py("DB_PASSWORD = \"{password}\"\n")},
		{name: "non-literal", files: py("import secrets\nsecret = secrets.token_hex(32)\n")},
		{name: "env sink", files: js("const jwt = require('jsonwebtoken');\njwt.sign(payload, process.env.JWT_SECRET);\n")},
		{name: "local encode is not pyjwt", files: py("from .utils import encode\nencode(payload, \"abc\")\n")},
	})
}

func TestSEC003ConnectionStrings(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "remote postgres", files: py("engine = create_engine(\"postgresql://app:Winter2024x@db.prod.acme.io/app\")\n"), want: []want{{"SEC-003", "app/settings.py", 1, "high"}}, secret: "Winter2024x"},
		{name: "local redis without user", files: py("REDIS_URL = \"redis://:S3cretVal9@localhost:6379/0\"\n"), want: []want{{"SEC-003", "app/settings.py", 1, "low"}}, secret: "S3cretVal9"},
		{name: ".env mysql on an IP", files: map[string]string{".env": "DATABASE_URL=mysql://root:Tr0ub4dor@10.0.3.7:3306/app\n"}, want: []want{{"SEC-003", ".env", 1, "high"}}, secret: "Tr0ub4dor"},
		{name: "yaml mongodb+srv", files: map[string]string{"config.yaml": "db:\n  uri: mongodb+srv://admin:Xk29vLq0@cluster0.abcde.mongodb.net/db\n"}, want: []want{{"SEC-003", "config.yaml", 2, "high"}}},
		{name: "js amqp", files: js("const url = \"amqp://svc:K8s-rabbit-77@mq.acme.com\";\n"), want: []want{{"SEC-003", "web/server.js", 1, ""}}},
		{name: "compose environment list, service host", files: map[string]string{"docker-compose.yml": "services:\n  api:\n    environment:\n      - DATABASE_URL=postgres://u:Pgx9912z@db:5432/app\n"}, want: []want{{"SEC-003", "docker-compose.yml", 4, "low"}}},
		{name: "json dsn", files: map[string]string{"settings.json": "{\"dsn\": \"postgresql://svc:N0tGuessable@pg.acme.io/prod\"}\n"}, want: []want{{"SEC-003", "settings.json", 1, ""}}},
		{name: "https with deploy credentials", files: py("REPO = \"https://deploy:gh9Kx2mQ@git.acme.io/repo.git\"\n"), want: []want{{"SEC-003", "app/settings.py", 1, ""}}},
		{name: "template literal without substitution", files: js("const u = `postgres://a:Qw9Zx8Lp@pg.acme.io/db`;\n"), want: []want{{"SEC-003", "web/server.js", 1, ""}}},
		// negatives
		{name: "js template substitution", files: js("const u = `postgresql://app:${process.env.DB_PASSWORD}@db/app`;\n")},
		{name: "yaml ${VAR}", files: map[string]string{"config.yaml": "url: postgresql://app:${DB_PASSWORD}@db.acme.io/app\n"}},
		{name: "format placeholders", files: py("A = \"postgresql://app:{password}@db/app\"\nB = \"postgresql://app:%s@db/app\"\n")},
		{name: "no credentials", files: py("A = \"postgresql://localhost/app\"\nB = \"mysql://root@localhost/db\"\n")},
		{name: "documentation host", files: py("A = \"postgresql://user:pass@host/db\"\nB = \"http://user:pass@example.com/\"\n")},
		{name: "masked password", files: py("A = \"postgresql://app:****@db.acme.io/app\"\n")},
		{name: "docstring", files: py("def connect():\n    \"\"\"Connect with postgresql://app:Winter2024x@db.prod.acme.io/app\"\"\"\n")},
		{name: "web URL with example credentials", files: py("u = \"http://user:pass@python.org/\"\n")},
	})
}

func TestSEC004EnvDefaults(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "os.getenv", files: py("import os\nSECRET_KEY = os.getenv(\"SECRET_KEY\", \"dev-secret\")\n"), want: []want{{"SEC-004", "app/settings.py", 2, "high"}}, secret: "dev-secret"},
		{name: "os.environ.get known public", files: py("import os\nJWT_SECRET = os.environ.get(\"JWT_SECRET\", \"secret\")\n"), want: []want{{"SEC-004", "app/settings.py", 2, "critical"}}},
		{name: "setdefault", files: py("import os\nos.environ.setdefault(\"API_TOKEN\", \"abc123xyz\")\n"), want: []want{{"SEC-004", "app/settings.py", 2, ""}}},
		{name: "pydantic BaseSettings", files: py("from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    secret_key: str = \"rW7pQ9zLm2Xc5Vb8\"\n    port: int = 8000\n"), want: []want{{"SEC-004", "app/settings.py", 3, ""}}},
		{name: "pydantic BaseSettings placeholder is SEC-001", files: py("from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    secret_key: str = \"change-me\"\n"), want: []want{{"SEC-001", "app/settings.py", 3, ""}}},
		{name: "pydantic Field default", files: py("from pydantic_settings import BaseSettings\nfrom pydantic import Field\nclass Settings(BaseSettings):\n    api_token: str = Field(default=\"Tq9Wm3Zx7Lp2Kv8R\")\n"), want: []want{{"SEC-004", "app/settings.py", 4, ""}}},
		{name: "pydantic SecretStr", files: py("from pydantic import BaseSettings, SecretStr\nclass Settings(BaseSettings):\n    db_password: SecretStr = SecretStr(\"pg-pass-local\")\n"), want: []want{{"SEC-004", "app/settings.py", 3, ""}}},
		{name: "js || known public", files: js("const secret = process.env.JWT_SECRET || \"secret\";\n"), want: []want{{"SEC-004", "web/server.js", 1, "critical"}}},
		{name: "js ??", files: js("const s = process.env.SESSION_SECRET ?? 'dev-session';\n"), want: []want{{"SEC-004", "web/server.js", 1, ""}}},
		{name: "js destructuring default", files: js("const { API_KEY = \"test-key\" } = process.env;\n"), want: []want{{"SEC-004", "web/server.js", 1, ""}}},
		{name: "js conditional fallback", files: js("const jwtSecret = isProd ? process.env.JWT_SECRET : \"dev-secret\";\n"), want: []want{{"SEC-004", "web/server.js", 1, ""}}},
		{name: "decouple default", files: py("from decouple import config\nSECRET_KEY = config(\"SECRET_KEY\", default=\"insecure-key\")\n"), want: []want{{"SEC-004", "app/settings.py", 2, ""}}},
		{name: "database URL with credentials", files: py("import os\nDB = os.getenv(\"DATABASE_URL\", \"postgresql://app:Winter2024x@db.acme.io/app\")\n"), want: []want{{"SEC-004", "app/settings.py", 2, ""}}, secret: "Winter2024x"},
		{name: "getenv or fallback", files: py("import os\nKEY = os.getenv(\"SECRET_KEY\") or \"fallback-secret\"\n"), want: []want{{"SEC-004", "app/settings.py", 2, ""}}},
		// negatives
		{name: "no default", files: py("import os\nSECRET_KEY = os.getenv(\"SECRET_KEY\")\n")},
		{name: "non-secret key", files: py("import os\nPORT = os.getenv(\"PORT\", \"8000\")\nLOG = os.environ.get(\"LOG_LEVEL\", \"info\")\n")},
		{name: "empty default", files: py("import os\nSECRET_KEY = os.getenv(\"SECRET_KEY\", \"\")\n")},
		{name: "generated default", files: py("import os, secrets\nSECRET_KEY = os.getenv(\"SECRET_KEY\", secrets.token_hex(32))\n")},
		{name: "js non-secret", files: js("const level = process.env.LOG_LEVEL || \"info\";\n")},
		{name: "js empty fallback", files: js("const s = process.env.JWT_SECRET || \"\";\n")},
		{name: "settings path field", files: py("from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    secret_key_file: str = \"/run/secrets/key\"\n")},
		{name: "token type default", files: py("import os\nT = os.getenv(\"TOKEN_TYPE\", \"bearer\")\n")},
		{name: "sqlite URL", files: py("import os\nDB = os.getenv(\"DATABASE_URL\", \"sqlite:///./app.db\")\n")},
		{name: "None default", files: py("import os\nK = os.environ.get(\"API_KEY\", None)\n")},
	})
}

func TestSEC005SecretFiles(t *testing.T) {
	const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
	const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	runCases(t, []ruleCase{
		{name: "tracked .env", files: map[string]string{".env": "PORT=1\n"}, git: true, tracked: []string{".env"}, want: []want{{"SEC-005", ".env", 0, "high"}}},
		{name: "untracked .env", files: map[string]string{".env": "PORT=1\n"}, git: true, want: []want{{"SEC-005", ".env", 0, "medium"}}},
		{name: "private key pem", files: map[string]string{"keys/server.pem": pem}, git: true, want: []want{{"SEC-005", "keys/server.pem", 0, "medium"}}},
		{name: "id_rsa", files: map[string]string{"deploy/id_rsa": pem}, git: true, want: []want{{"SEC-005", "deploy/id_rsa", 0, ""}}},
		{name: "credentials.json", files: map[string]string{"credentials.json": "{}\n"}, git: true, want: []want{{"SEC-005", "credentials.json", 0, ""}}},
		{name: ".npmrc token", files: map[string]string{".npmrc": "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnop\n"}, git: true, want: []want{{"SEC-005", ".npmrc", 0, ""}}},
		{name: "tracked although ignored", files: map[string]string{".gitignore": ".env.production\n", ".env.production": "PORT=1\n"}, git: true, tracked: []string{".env.production"},
			want: []want{{"SEC-005", ".env.production", 0, "high"}}},
		{name: "service-account json", files: map[string]string{"gcp/sa.json": "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n\"}\n"}, git: true,
			want: []want{{"SEC-005", "gcp/sa.json", 0, ""}}},
		{name: "fixture one level lower", files: map[string]string{"tests/fixtures/.env": "PORT=1\n"}, git: true, want: []want{{"SEC-005", "tests/fixtures/.env", 0, "low"}}},
		{name: "binary key store", files: map[string]string{"certs/client.p12": "\x30\x82\x00\x00binary"}, git: true, want: []want{{"SEC-005", "certs/client.p12", 0, ""}}},
		// negatives
		{name: "examples", files: map[string]string{".env.example": "PORT=1\n", ".env.sample": "PORT=1\n", ".env.template": "PORT=1\n", ".env.dist": "PORT=1\n"}, git: true},
		{name: "ignored .env", files: map[string]string{".gitignore": ".env\n", ".env": "PORT=1\n"}, git: true},
		{name: "certificate only", files: map[string]string{"certs/ca.pem": cert}, git: true},
		{name: "public key", files: map[string]string{"id_rsa.pub": "ssh-rsa AAAA\n"}, git: true},
		{name: ".npmrc with env token", files: map[string]string{".npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"}, git: true},
		{name: "not in git", files: map[string]string{".env": "PORT=1\n", "id_rsa": pem}},
		{name: "ignored by a wildcard with an example exception", files: map[string]string{".gitignore": ".env*\n!.env.example\n", ".env.local": "PORT=1\n", ".env.example": "PORT=1\n"}, git: true},
		{name: "ignored by a parent directory rule", files: map[string]string{".gitignore": "/secrets/\n", "secrets/id_rsa": pem}, git: true},
		{name: "ordinary files", files: map[string]string{"key.txt": "hello\n", "environment.py": "x = 1\n"}, git: true},
	})
}

func TestSEC006ExampleCopies(t *testing.T) {
	runCases(t, []ruleCase{
		{name: ".env copies example", files: map[string]string{".env.example": "SECRET_KEY=Mz4Qx8Lp1Vr6Kt3W\n", ".env": "PORT=1\nSECRET_KEY=Mz4Qx8Lp1Vr6Kt3W\n"},
			want: []want{{"SEC-006", ".env", 2, "medium"}}, secret: "Mz4Qx8Lp1Vr6Kt3W"},
		{name: ".env copies an example placeholder", files: map[string]string{".env.example": "SECRET_KEY=replace-me\n", ".env": "SECRET_KEY=replace-me\n"},
			want: []want{{"SEC-001", ".env", 1, "high"}, {"SEC-006", ".env", 1, "medium"}}},
		{name: "code default equals example", files: map[string]string{".env.example": "JWT_SECRET=Qx7pL2vN9kR4tB8m\n", "app/main.py": "import os\nK = os.getenv(\"JWT_SECRET\", \"Qx7pL2vN9kR4tB8m\")\n"},
			want: []want{{"SEC-004", "app/main.py", 2, ""}, {"SEC-006", "app/main.py", 2, ""}}, secret: "Qx7pL2vN9kR4tB8m"},
		{name: "code literal equals example", files: map[string]string{".env.example": "STRIPE_SECRET=Rk8Qz2Lm5Vx9Pw3N\n", "app/pay.py": "stripe_secret = \"Rk8Qz2Lm5Vx9Pw3N\"\n"},
			want: []want{{"SEC-006", "app/pay.py", 1, ""}}},
		{name: "ignored .env copies example", files: map[string]string{".gitignore": ".env\n", ".env.example": "API_TOKEN=Tq9Wm3Zx7Lp2Kv8R\n", ".env": "API_TOKEN=Tq9Wm3Zx7Lp2Kv8R\n"}, git: true,
			want: []want{{"SEC-006", ".env", 1, ""}}},
		{name: "nested service sample", files: map[string]string{"services/api/.env.sample": "DB_PASSWORD=Lp4Vx8Qz2Mn6Rt0W\n", "services/api/.env.local": "DB_PASSWORD=Lp4Vx8Qz2Mn6Rt0W\n"},
			want: []want{{"SEC-006", "services/api/.env.local", 1, ""}}},
		{name: "js destructuring default", files: map[string]string{".env.example": "SESSION_SECRET=Zt5Kq9Wx3Lm7Pv1B\n", "web/app.js": "const { SESSION_SECRET = \"Zt5Kq9Wx3Lm7Pv1B\" } = process.env;\n"},
			want: []want{{"SEC-004", "web/app.js", 1, ""}, {"SEC-006", "web/app.js", 1, ""}}},
		{name: "compose environment", files: map[string]string{".env.template": "JWT_SECRET=Vb6Nq1Xz8Kw4Lt2P\n", "docker-compose.yml": "services:\n  api:\n    environment:\n      - JWT_SECRET=Vb6Nq1Xz8Kw4Lt2P\n"},
			want: []want{{"SEC-006", "docker-compose.yml", 4, ""}}},
		{name: ".env.dist copy in a test dir is lower", files: map[string]string{"tests/.env.dist": "API_KEY=Hq3Lx7Vz1Mw9Kt5R\n", "tests/.env": "API_KEY=Hq3Lx7Vz1Mw9Kt5R\n"},
			want: []want{{"SEC-006", "tests/.env", 1, "low"}}},
		// negatives
		{name: "different value", files: map[string]string{".env.example": "SECRET_KEY=example\n", ".env": "SECRET_KEY=Gz8Kq2Lm6Vx0Pw4N5Rt7\n"}},
		{name: "empty example", files: map[string]string{".env.example": "SECRET_KEY=\n", ".env": "SECRET_KEY=Gz8Kq2Lm6Vx0Pw4N5Rt7\n"}},
		{name: "non-secret keys", files: map[string]string{".env.example": "PORT=8000\nLOG_LEVEL=debug\n", ".env": "PORT=8000\nLOG_LEVEL=debug\n"}},
		{name: "no example", files: map[string]string{".env": "SECRET_KEY=Gz8Kq2Lm6Vx0Pw4N5Rt7\n"}},
		{name: "lookup without default", files: map[string]string{".env.example": "JWT_SECRET=Qx7pL2vN9kR4tB8m\n", "app/main.py": "import os\nK = os.getenv(\"JWT_SECRET\")\n"}},
		{name: "template example", files: map[string]string{".env.example": "JWT_SECRET=${JWT_SECRET}\n", ".env": "JWT_SECRET=${JWT_SECRET}\n"}},
		{name: "non-secret code literal", files: map[string]string{".env.example": "LOG_LEVEL=debugging\n", "app/main.py": "LOG_LEVEL = \"debugging\"\n"}},
		{name: "short example value in code", files: map[string]string{".env.example": "API_KEY=abc\n", "app/main.py": "name = \"abc\"\n"}},
	})
}

func TestFindingsNeverPrintSecrets(t *testing.T) {
	secret := "Winter2024"
	res := scanTree(t, map[string]string{
		"a.py":  fmt.Sprintf("DB_PASSWORD = %q\nDSN = \"postgresql://app:%s@db.acme.io/app\"\n", secret, secret),
		".env":  "API_KEY=" + secret + "\n",
		"b.js":  fmt.Sprintf("const s = process.env.JWT_SECRET || %q;\n", secret),
		"c.yml": "password: " + secret + "\n",
	}, Options{}, false)
	fs := secFindings(res)
	if len(fs) < 4 {
		t.Fatalf("want findings in every file, got:%s", describe(fs))
	}
	for _, f := range fs {
		if strings.Contains(f.Message, secret) || strings.Contains(f.Snippet, secret) {
			t.Errorf("secret printed: %s | %s", f.Message, f.Snippet)
		}
	}
	for _, name := range []string{"text", "json", "sarif", "markdown"} {
		format, err := scanner.ParseFormat(name)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := scanner.Write(&out, format, res, scanner.WriteOptions{ToolVersion: "test"}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(out.String(), "SEC-00") {
			t.Errorf("%s output lists no SEC finding:\n%s", name, out.String())
		}
		if strings.Contains(out.String(), secret) {
			t.Errorf("%s output prints the secret:\n%s", name, out.String())
		}
	}
}

func TestRuleMetadata(t *testing.T) {
	for _, r := range AllRules() {
		if !r.Security || r.Category != scanner.CategorySecrets || len(r.CWE) == 0 || r.Name == "" || r.Title == "" ||
			r.Description == "" || r.Impact == "" || r.Fix == "" || r.Bad == "" || r.Good == "" || r.Precision == "" {
			t.Errorf("%s: incomplete metadata %+v", r.ID, r)
		}
	}
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(a.Rules()); got != 6 {
		t.Errorf("rules = %d, want 6", got)
	}
	if _, err := New(Options{PlaceholderPatterns: []string{"(unclosed"}}); err == nil {
		t.Error("a bad placeholder pattern must be a configuration error")
	}
}

func TestSEC005OutsideGitIsANote(t *testing.T) {
	res := scanTree(t, map[string]string{".env": "PORT=1\n"}, Options{}, false)
	if fs := secFindings(res); len(fs) != 0 {
		t.Errorf("outside git SEC-005 must not judge: %s", describe(fs))
	}
	want := []string{"SEC-005 not checked: the scan root is not in a git work tree, so no file can be committed by mistake"}
	if diff := cmp.Diff(want, res.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

func TestNeedsTree(t *testing.T) {
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string]bool{
		"def add(a, b):\n    return a + b\n":            false,
		"SECRET_KEY = 'x'\n":                            true,
		"const u = 'postgres://a:b@h/db';\n":            true,
		"h = hmac.new(k, m)\n":                          true,
		"const { apiKey } = cfg; // camelCase counts\n": true,
	} {
		if got := a.NeedsTree("x.py", []byte(src)); got != want {
			t.Errorf("NeedsTree(%q) = %v, want %v", src, got, want)
		}
	}
}

// TestPlaceholderFillerNeedsTheWholeValue: a vendor prefix makes filler a
// placeholder only when filler is all that follows it.
func TestPlaceholderFillerNeedsTheWholeValue(t *testing.T) {
	l, err := loadLists(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]bool{
		"sk-xxxxxxxxxxxxxxxxxxxxxxxx":                 true,
		"sk_live_XXXXXXXXXXXXXXXX":                    true,
		"AKIAXXXXXXXXXXXXXXXX":                        true,
		"SG.xxxxxxxxxxxx.yyyyyyyyyyyyyyyy":            true,
		"REPLACE_ME==":                                true,
		"sk_live_51Hx9kQxTq8ZrVw2Lm4Np7Bd":            false,
		"q3V8xk2LrZp9Wm4Tn7Yb1Hs6Dc0Fg5Jx3Ke8Ua2Qo4=": false,
		"ghp_9xxxxA7bQ2mZ4kLp0wRt5vYc8nJd3hFg6sXe":    false,
		"==": false,
	} {
		if got := l.isPlaceholder(v); got != want {
			t.Errorf("isPlaceholder(%q) = %v, want %v", v, got, want)
		}
	}
}
