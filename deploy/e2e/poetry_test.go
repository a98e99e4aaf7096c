package e2e

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// poetryBin is Debian's poetry 1.3 (python3-poetry on bookworm).
const poetryBin = "/usr/bin/poetry"

// writePoetryProject writes a poetry 1.3 pyproject.toml whose only package
// source is index (`default = true` is the 1.3 spelling; poetry ≥ 1.5 uses
// `priority = "default"`) and returns the project directory.
func writePoetryProject(t *testing.T, index string, deps map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("[tool.poetry]\nname = \"vigil-e2e-app\"\nversion = \"0.1.0\"\n" +
		"description = \"vigil-proxy e2e project\"\nauthors = [\"e2e <e2e@example.invalid>\"]\n\n" +
		"[tool.poetry.dependencies]\npython = \"^3.9\"\n")
	for _, name := range slices.Sorted(maps.Keys(deps)) {
		fmt.Fprintf(&b, "%s = %q\n", name, deps[name])
	}
	fmt.Fprintf(&b, "\n[[tool.poetry.source]]\nname = \"vigil\"\nurl = %q\ndefault = true\n", index)
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(b.String()), 0o644); err != nil {
		t.Fatalf("write pyproject.toml: %v", err)
	}
	return dir
}

// poetryLock runs `poetry lock --no-interaction` in dir with private cache
// and config directories, no virtualenv creation and no keyring.
func poetryLock(t *testing.T, poetry, dir string) (out string, code int) {
	t.Helper()
	return runCmd(t, dir, map[string]string{
		"POETRY_CACHE_DIR":          t.TempDir(),
		"POETRY_CONFIG_DIR":         t.TempDir(),
		"POETRY_VIRTUALENVS_CREATE": "false",
		"PYTHON_KEYRING_BACKEND":    "keyring.backends.null.Keyring",
	}, poetry, "lock", "--no-interaction")
}

// lockedVersions parses the [[package]] name/version pairs of a poetry.lock.
func lockedVersions(t *testing.T, dir string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "poetry.lock"))
	if err != nil {
		t.Fatalf("read poetry.lock: %v", err)
	}
	out := map[string]string{}
	for _, block := range strings.Split(string(b), "[[package]]")[1:] {
		var name, version string
		for _, line := range strings.Split(block, "\n") {
			key, val, ok := strings.Cut(line, " = ")
			if !ok {
				continue
			}
			val = strings.Trim(val, `"`)
			switch key {
			case "name":
				name = val
			case "version":
				version = val
			}
			if name != "" && version != "" {
				break
			}
		}
		out[name] = version
	}
	return out
}

func TestPoetryLock(t *testing.T) {
	t.Parallel()
	poetry := requireTool(t, poetryBin, "apt-get install -y python3-poetry")
	fake := pypitest.NewServer(t, pipFixtures(time.Now().UTC())...)
	p := startProxy(t, pypiEnv(fake, nil))
	index := p.URL + "/pypi/simple/"

	t.Run("resolves mature and skips too-new release", func(t *testing.T) {
		dir := writePoetryProject(t, index, map[string]string{
			"vigil-e2e-mature": "^1.0",
			"vigil-e2e-fresh":  "^1.0",
		})
		out, code := poetryLock(t, poetry, dir)
		recordTranscript(t, "poetry lock with a mature and a fresh dependency", "poetry lock --no-interaction", out, code)
		if code != 0 {
			t.Fatalf("poetry lock exit status %d, want 0", code)
		}
		want := map[string]string{
			"vigil-e2e-mature": "1.2.0",
			"vigil-e2e-base":   "1.1.0",
			"vigil-e2e-fresh":  "1.0.0", // 1.1.0 is 2 days old: shown as yanked
		}
		if diff := cmp.Diff(want, lockedVersions(t, dir)); diff != "" {
			t.Errorf("poetry.lock pins (-want +got):\n%s", diff)
		}
	})

	t.Run("young project is refused", func(t *testing.T) {
		dir := writePoetryProject(t, index, map[string]string{"vigil-e2e-young": "^0.1"})
		out, code := poetryLock(t, poetry, dir)
		recordTranscript(t, "poetry lock with a 5-day-old dependency", "poetry lock --no-interaction", out, code)
		if code == 0 {
			t.Errorf("poetry lock succeeded for a 5-day-old project")
		}
		if _, err := os.Stat(filepath.Join(dir, "poetry.lock")); err == nil {
			t.Errorf("poetry.lock written although resolution must fail")
		}
		// poetry 1.3 reports any 403 as an authorization error and drops
		// the reason phrase.
		requireOutput(t, out, "Authorization error accessing "+index+"vigil-e2e-young/",
			"Because vigil-e2e-app depends on vigil-e2e-young (^0.1) which doesn't match any versions, version solving failed.")
	})

	t.Run("pinned too-new release is refused", func(t *testing.T) {
		dir := writePoetryProject(t, index, map[string]string{"vigil-e2e-fresh": "1.1.0"})
		out, code := poetryLock(t, poetry, dir)
		recordTranscript(t, "poetry lock with an exact pin on a 2-day-old release", "poetry lock --no-interaction", out, code)
		if code == 0 {
			t.Errorf("poetry lock succeeded with a pin on a hidden release:\n%s", readFileOrEmpty(filepath.Join(dir, "poetry.lock")))
		}
		// poetry 1.3 downloads the wheel to read its metadata and prints the
		// file's 403 reason phrase.
		requireOutput(t, out, "403 Client Error: Blocked by vigil-proxy: file vigil_e2e_fresh-1.1.0-py3-none-any.whl of version 1.1.0 was uploaded 2 days ago (policy: 7 days)")
	})

	evs := p.Events(t)
	got := eventsFor(evs, "vigil-e2e-young")
	ev, ok := findEvent(got, "block", "DEP-002")
	if !ok {
		t.Fatalf("no DEP-002 block event for vigil-e2e-young:\n%s", describeEvents(got))
	}
	// poetry 1.3 sends no User-Agent of its own: requests' default is what
	// the audit trail can show.
	if !strings.Contains(ev.Client, "python-requests/") {
		t.Errorf("event Client %q: want poetry 1.3's python-requests User-Agent", ev.Client)
	}
}

// readFileOrEmpty returns a file's content, or "" when it cannot be read.
func readFileOrEmpty(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}
