package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// repoRoot is the vigil-proxy repository, two levels up from this module.
const repoRoot = "../.."

var buildOnce struct {
	sync.Once
	path string
	out  []byte
	err  error
}

// vigilProxyBinary builds cmd/vigil-proxy from the repository once per test
// run and returns the path of the binary.
func vigilProxyBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "deploytest-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "vigil-proxy")
		cmd := exec.Command("go", "build", "-o", buildOnce.path, "./cmd/vigil-proxy")
		cmd.Dir = repoRoot
		buildOnce.out, buildOnce.err = cmd.CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("go build ./cmd/vigil-proxy: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildOnce.path != "" {
		os.RemoveAll(filepath.Dir(buildOnce.path))
	}
	os.Exit(code)
}
