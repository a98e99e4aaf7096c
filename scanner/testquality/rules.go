// Package testquality raises the TEST rules: tests that give false
// confidence (no assertions, only trivial ones, HTTP tests that never check
// a status, swallowed exceptions, circular mocks, unexplained skips) in
// pytest/unittest and jest/vitest/mocha/node:test suites.
package testquality

import "github.com/vigil-proxy/vigil-proxy/scanner"

// TEST rules are quality rules, never security rules: SARIF gives them
// problem.severity and no security-severity.
var (
	NoAssertions = scanner.RuleInfo{
		ID: "TEST-001", Name: "TestWithoutAssertions", Title: "Test without assertions",
		Category: scanner.CategoryTests, Severity: scanner.Medium, Precision: "high",
		Description: "The test runs code but checks nothing: it passes whatever the code returns, as long as nothing raises. " +
			"Assistants often generate such tests to raise coverage. Assertions count in every form the frameworks offer " +
			"(assert, self.assert*, pytest.raises, mock assert_*, expect(), assert.*, snapshots) and through the project's own " +
			"assertion helpers one call away.",
		Fix:  "Assert on the result (value, state change, raised error) the test is about.",
		Bad:  "def test_create_user():\n    create_user(\"a@example.com\")",
		Good: "def test_create_user():\n    user = create_user(\"a@example.com\")\n    assert user.email == \"a@example.com\"",
	}
	TrivialAssertions = scanner.RuleInfo{
		ID: "TEST-002", Name: "OnlyTrivialAssertions", Title: "Test with only trivial assertions",
		Category: scanner.CategoryTests, Severity: scanner.Low, Precision: "medium",
		Description: "Every assertion of the test is trivially satisfied by almost any result: `is not None`, `assert True`, " +
			"truthiness of a value, `toBeDefined()`, `toBeTruthy()`. The test cannot fail on a wrong answer. With " +
			"`--min-assertions N` (or `rules: {TEST-002: {min_assertions: N}}`), tests with fewer than N meaningful assertions are reported.",
		Fix:  "Compare the result with the expected value.",
		Bad:  "def test_total():\n    assert compute_total(order) is not None",
		Good: "def test_total():\n    assert compute_total(order) == Decimal(\"42.50\")",
	}
	NoStatusCheck = scanner.RuleInfo{
		ID: "TEST-003", Name: "HTTPTestWithoutStatusCheck", Title: "HTTP API test never checks the status code",
		Category: scanner.CategoryTests, Severity: scanner.Medium, Precision: "medium",
		Description: "The test calls an HTTP endpoint (test client, supertest, requests/httpx) but never looks at the response's " +
			"status, so a 500 or a 401 with a plausible body passes.",
		Fix:  "Assert the status code (and then the body).",
		Bad:  "def test_get_user(client):\n    r = client.get(\"/users/1\")\n    assert r.json()[\"id\"] == 1",
		Good: "def test_get_user(client):\n    r = client.get(\"/users/1\")\n    assert r.status_code == 200\n    assert r.json()[\"id\"] == 1",
	}
	SwallowedException = scanner.RuleInfo{
		ID: "TEST-004", Name: "ExceptionSwallowedInTest", Title: "Broad exception swallowed in a test",
		Category: scanner.CategoryTests, Severity: scanner.Medium, Precision: "high",
		Description: "A bare or broad except (`except Exception: pass`, an empty `catch {}`) inside a test hides the very failure " +
			"the test should report.",
		Fix:  "Let the exception fail the test, or assert it with pytest.raises / expect(...).rejects / assert.throws.",
		Bad:  "try:\n    client.delete(\"/x\")\nexcept Exception:\n    pass",
		Good: "with pytest.raises(PermissionError):\n    client.delete(\"/x\")",
	}
	CircularMock = scanner.RuleInfo{
		ID: "TEST-005", Name: "CircularMock", Title: "Circular mock: the test asserts the value it mocked",
		Category: scanner.CategoryTests, Severity: scanner.Medium, Precision: "medium",
		Description: "The test replaces the unit under test with a mock, sets its return value, and then asserts that calling it " +
			"returns that value. It tests the mocking library, not the code.",
		Fix:  "Mock the unit's collaborators (database, HTTP, clock) and assert on the real unit's result.",
		Bad:  "@patch(\"app.pricing.total\", return_value=42)\ndef test_total(m):\n    assert pricing.total(cart) == 42",
		Good: "@patch(\"app.pricing.fetch_rates\", return_value={\"EUR\": 1})\ndef test_total(m):\n    assert pricing.total(cart) == 42",
	}
	UnexplainedSkip = scanner.RuleInfo{
		ID: "TEST-006", Name: "SkipWithoutReason", Title: "Skipped or disabled test without a reason",
		Category: scanner.CategoryTests, Severity: scanner.Low, Precision: "high",
		Description: "A skipped test silently stops protecting the code. A reason (the skip's reason argument, or a comment on " +
			"the line or the line before for frameworks without one) tells reviewers when it may come back.",
		Fix:  "Give the reason, or delete the test.",
		Bad:  "@pytest.mark.skip\ndef test_refund(): ...",
		Good: "@pytest.mark.skip(reason=\"refunds move to the billing service (#123)\")\ndef test_refund(): ...",
	}
)

// Rules lists the TEST rules' metadata.
func Rules() []scanner.RuleInfo {
	return []scanner.RuleInfo{NoAssertions, TrivialAssertions, NoStatusCheck, SwallowedException, CircularMock, UnexplainedSkip}
}
