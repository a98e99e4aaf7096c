package secrets

import (
	"net"
	"net/url"
	"regexp"
	"strings"
)

// connSchemes are the URL schemes whose userinfo password is a credential
// (scanner-rules.md SEC-003).
var connSchemes = set("postgres", "postgresql", "postgis", "mysql", "mariadb", "mongodb", "mongodb+srv",
	"redis", "rediss", "amqp", "amqps", "mssql", "sqlserver", "oracle", "ftp", "ftps", "sftp", "smtp", "smtps",
	"http", "https", "ldap", "ldaps", "cockroachdb", "clickhouse", "neo4j", "bolt", "nats", "kafka", "memcached",
	"couchdb", "elasticsearch", "influxdb", "snowflake", "mssql+pyodbc", "postgresql+psycopg2",
	"postgresql+psycopg", "postgresql+asyncpg", "mysql+pymysql", "mysql+mysqldb", "mysql+aiomysql",
	"postgres+asyncpg", "sqlite", "jdbc:postgresql", "jdbc:mysql")

// connRE finds URL-shaped credentials inside a longer value (a DSN in a
// YAML block, a compose command line).
var connRE = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.:-]*)://([^\s:/?#@"'<>]*):([^\s@/"'<>]+)@([^\s/?#:"'<>]+)`)

// connString is a parsed URL with an inline password.
type connString struct {
	scheme, user, password, host string
	local                        bool
	placeholder                  bool // the password is a placeholder (SEC-001)
}

// localHosts are hosts that never leave the machine or a compose network.
var localHosts = set("localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal", "db", "postgres",
	"postgresql", "mysql", "mariadb", "mongo", "mongodb", "redis", "rabbitmq", "database", "cache",
	"broker", "minio", "localstack", "kafka", "elasticsearch", "memcached")

// docHost: the stand-in host names documentation prints.
func docHost(h string) bool {
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	switch h {
	case "host", "hostname", "server", "your-host", "yourhost", "myhost", "my-host", "your_host", "dbhost",
		"db-host", "db_host", "some-host", "somehost", "example", "x", "h", "a", "b", "foo", "bar", "...":
		return true
	}
	// RFC 2606 names (example.com, .invalid) are not filtered: fixtures and
	// redacted real configurations use them for real-looking hosts.
	return strings.ContainsAny(h, "<>{}$%[]*")
}

// findConnStrings returns the URL credentials in a value, skipping
// templates (`${DB_PASSWORD}`, `{password}`, `%s`, `$VAR`), masks and
// documentation hosts.
func (l *lists) findConnStrings(v string) []connString {
	if !strings.Contains(v, "://") || !strings.Contains(v, "@") {
		return nil
	}
	var out []connString
	for _, m := range connRE.FindAllStringSubmatch(v, 8) {
		scheme := strings.ToLower(m[1])
		scheme = strings.TrimPrefix(scheme, "jdbc:")
		if !connSchemes[scheme] && !connSchemes[strings.SplitN(scheme, "+", 2)[0]] {
			continue
		}
		user, pw, host := m[2], m[3], m[4]
		if u, err := url.PathUnescape(pw); err == nil {
			pw = u
		}
		if pw == "" || templateRE.MatchString(pw) || strings.HasPrefix(pw, "$") || strings.HasPrefix(pw, "%") ||
			strings.HasPrefix(pw, "{") || strings.HasPrefix(pw, "<") && strings.HasSuffix(pw, ">") ||
			strings.Trim(pw, "*xX.•") == "" || templateRE.MatchString(user) || docHost(host) {
			continue
		}
		h := strings.ToLower(host)
		if hh, _, err := net.SplitHostPort(h); err == nil {
			h = hh
		}
		cs := connString{scheme: scheme, user: user, password: pw, host: host}
		cs.local = localHosts[h] || strings.HasPrefix(h, "127.") || strings.HasSuffix(h, ".local") || strings.HasSuffix(h, ".internal")
		cs.placeholder = l.isPlaceholder(pw) || l.isKnownPublic(pw)
		out = append(out, cs)
	}
	return out
}
