package names

import (
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

func TestSmokeTmp(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(c)
	for _, n := range []string{"reqeusts", "requestss", "python3-dateutil", "jeIlyfish", "colourama", "urlib3", "setup-tools", "djanga", "dateutil-python", "requests2", "py-requests", "pymafka"} {
		m, ok := ix.Typosquat(policy.PyPI, n)
		t.Logf("pypi %s: %+v %v sugg=%v", n, m, ok, ix.Suggest(policy.PyPI, n, 3))
	}
	for _, n := range []string{"crossenv", "babelcli", "mongose", "electorn", "loadsh", "@typess/node", "@types-node/x", "typesnode", "jquery.js", "nodesass", "cross-env.js", "lodash.pick", "react", "reactt"} {
		m, ok := ix.Typosquat(policy.NPM, n)
		t.Logf("npm %s: %+v %v sugg=%v", n, m, ok, ix.Suggest(policy.NPM, n, 3))
	}
}
