package e2e

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
)

// TestYarnNeverInstallsAHiddenVersionFromItsCache: yarn 4 takes a resolved
// version from its global cache without requesting the tarball, so a
// version installed while clean and found malicious later must not be
// listed in yarn's document (not even deprecated): a fresh resolution of a
// range only it satisfies, in another project on the same machine, would
// install it from the cache, whatever the proxy answers for the tarball,
// and write it into yarn.lock.
func TestYarnNeverInstallsAHiddenVersionFromItsCache(t *testing.T) {
	t.Parallel()
	yarn := requireTool(t, "yarn", yarnInstall)
	old := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	npmFake := npmtest.NewServer(t,
		npmtest.Package{Name: "vigil-mal-npm", Created: old, Repository: ghRepository("mal-npm"),
			Versions: []npmtest.Version{{Version: "1.0.0", Published: old}, {Version: "1.1.0", Published: old.Add(60 * day)}}})
	bucket := &osvBucket{zips: map[string][]byte{}}
	bucket.set(t, "npm", map[string]string{"MAL-2020-1": unrelatedNPM})
	bucket.set(t, "PyPI", map[string]string{"MAL-2020-2": unrelatedPyPI})
	feed := httptest.NewServer(bucket)
	defer feed.Close()
	p := startProxy(t, npmEnv(npmFake, map[string]string{
		"VIGIL_MALWARE_FEED_URL": feed.URL,
		"VIGIL_ADMIN_TOKEN":      randomToken(t),
	}))
	waitReadyDetail(t, p, "malware feed: 2 advisories")

	// yarn's default: one global cache for every project of the user.
	global := t.TempDir()
	run := func(dir string, args ...string) clientRun {
		rc := fmt.Sprintf("npmRegistryServer: %q\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnodeLinker: node-modules\n"+
			"enableGlobalCache: true\nglobalFolder: %q\nenableTelemetry: false\n", npmRegistry(p), global)
		for name, data := range map[string]string{".yarnrc.yml": rc, "yarn.lock": ""} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out, code := runCmd(t, dir, map[string]string{"YARN_ENABLE_TELEMETRY": "0", "YARN_ENABLE_PROGRESS_BARS": "false"}, yarn, args...)
		return clientRun{cmdline: rc + "$ yarn " + fmt.Sprint(args), out: out, code: code}
	}
	before := npmProject(t, nil)
	run(before, "add", "vigil-mal-npm@1.1.0").check(t, "yarn add while clean", 0, "Done")
	if v := installedVersion(t, before, "vigil-mal-npm"); v != "1.1.0" {
		t.Fatalf("installed %q while clean, want 1.1.0", v)
	}

	bucket.set(t, "npm", map[string]string{"MAL-2020-1": unrelatedNPM, "MAL-2026-9001": malNPMRelease})
	syncFeed(t, p)
	waitReadyDetail(t, p, "malware feed: 3 advisories")

	after := npmProject(t, nil)
	// A range (an exact version yarn answers from its metadata cache,
	// without asking the proxy: a client-side limit, see the README).
	run(after, "add", "vigil-mal-npm@^1.1.0").check(t, "yarn add of a range only a version found malicious after it was cached satisfies", 1,
		"vigil-mal-npm@npm:^1.1.0: No candidates found")
	if v := installedVersion(t, after, "vigil-mal-npm"); v != "" {
		t.Errorf("yarn installed the malicious vigil-mal-npm %s from its cache", v)
	}
	if b, _ := os.ReadFile(filepath.Join(after, "yarn.lock")); len(b) > 0 && containsAll(string(b), "vigil-mal-npm@npm:1.1.0") {
		t.Errorf("yarn.lock records the malicious version:\n%s", b)
	}
}
