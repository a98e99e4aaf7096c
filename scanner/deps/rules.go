package deps

import "github.com/vigil-proxy/vigil-proxy/scanner"

// Rule IDs raised by this package. DEP-000 is the scanner's own: a
// dependency the registry policy could not clear.
const (
	RuleNotCleared         = "DEP-000"
	RuleNonexistent        = "DEP-001"
	RuleTooNew             = "DEP-002"
	RuleTyposquat          = "DEP-003"
	RuleUnpopular          = "DEP-004"
	RuleNoRepository       = "DEP-005"
	RuleNonexistentVersion = "DEP-007"
	RuleBypass             = "DEP-008"
	RuleMalicious          = "MAL-001"
)

var supplyChain = []string{"security", "supply-chain"}

// Rules is the metadata of every rule this package raises.
var Rules = []scanner.RuleInfo{
	{
		ID: RuleNotCleared, Name: "DependencyNotCleared", Title: "Dependency not cleared by the registry policy",
		Category: scanner.CategoryDep, Severity: scanner.High, Security: true, CWE: []int{1357}, Precision: "high",
		Description: "The dependency could not be verified (the registry or the proxy could not be reached, or the name is invalid) or the policy refuses it for a reason other than a DEP rule (a deny-list entry, a private name, every version hidden). The scan fails closed, as the proxy does: an unverified package is not an allowed one.",
		Fix:         "Make the registry reachable (or run with --proxy), fix the name, or ask an admin about the list entry; --allow-unverified reports unverifiable packages at low severity.",
		Bad:         "some-internal-name==1.0   # denylisted",
		Good:        "requests==2.32.3",
		Tags:        supplyChain,
	},
	{
		ID: RuleNonexistent, Name: "NonexistentPackage", Title: "Dependency does not exist on the registry",
		Category: scanner.CategoryDep, Severity: scanner.Critical, Security: true, CWE: []int{1357, 829}, Precision: "very-high",
		Description: "The declared package does not exist. AI assistants invent plausible package names; attackers register them (slopsquatting) and wait for the install.",
		Impact:      "Anyone who registers this name gets their code run by every install of the project.",
		Fix:         "Use the package you meant (see \"did you mean\") or remove the declaration.",
		Bad:         "fastapi-security-utils==0.3",
		Good:        "fastapi==0.115.0",
		Tags:        supplyChain,
	},
	{
		ID: RuleTooNew, Name: "TooNewPackage", Title: "Dependency or version published too recently",
		Category: scanner.CategoryDep, Severity: scanner.High, Security: true, CWE: []int{1357}, Precision: "high",
		Description: "The package or the resolved version is younger than the policy's minimum age. Malicious releases are usually found and removed within days.",
		Fix:         "Pin an older release, or wait until the release has aged.",
		Bad:         "\"left-pad-ng\": \"^1.0.0\"   // published yesterday",
		Good:        "\"left-pad\": \"1.3.0\"",
		Tags:        supplyChain,
	},
	{
		ID: RuleTyposquat, Name: "TyposquatPackage", Title: "Dependency name looks like a popular package",
		Category: scanner.CategoryDep, Severity: scanner.Critical, Security: true, CWE: []int{1357, 829}, Precision: "high",
		Description: "The name is one small edit away from a popular package (transposed letters, look-alike characters, a dropped separator): the classic typosquat.",
		Impact:      "A typosquatted package runs an attacker's code at install time.",
		Fix:         "Declare the package you meant.",
		Bad:         "reqeusts==2.31.0",
		Good:        "requests==2.31.0",
		Tags:        supplyChain,
	},
	{
		ID: RuleUnpopular, Name: "UnpopularPackage", Title: "Dependency is barely used",
		Category: scanner.CategoryDep, Severity: scanner.High, Security: true, CWE: []int{1357}, Precision: "medium",
		Description: "The package has fewer weekly downloads than the policy's minimum. Few users means few eyes on it.",
		Fix:         "Prefer a well-used package, or have an admin allowlist this one after review.",
		Bad:         "\"tiny-unknown-helper\": \"1.0.0\"",
		Good:        "\"lodash\": \"4.17.21\"",
		Tags:        supplyChain,
	},
	{
		ID: RuleNoRepository, Name: "PackageWithoutRepository", Title: "Dependency declares no source repository",
		Category: scanner.CategoryDep, Severity: scanner.High, Security: true, CWE: []int{1357}, Precision: "medium",
		Description: "The package metadata names no source repository, so its code cannot be reviewed against its source.",
		Fix:         "Prefer a package with a public repository, or have an admin allowlist this one after review.",
		Bad:         "no-repo-pkg==1.0",
		Good:        "httpx==0.27.0",
		Tags:        supplyChain,
	},
	{
		ID: RuleNonexistentVersion, Name: "NonexistentVersion", Title: "Pinned version does not exist",
		Category: scanner.CategoryDep, Severity: scanner.High, Security: true, CWE: []int{1357}, Precision: "very-high",
		Description: "The pinned version (or no version matching the range) exists among the releases policy allows. The install fails, or a later release published under that number is taken unreviewed.",
		Fix:         "Pin a version that exists (the finding names the newest allowed one).",
		Bad:         "requests==9.9.9",
		Good:        "requests==2.32.3",
		Tags:        supplyChain,
	},
	{
		ID: RuleBypass, Name: "RegistryBypass", Title: "Dependency or configuration bypasses the registry",
		Category: scanner.CategoryDep, Severity: scanner.High, Security: true, CWE: []int{829, 494}, Precision: "high",
		Description: "An extra index, a registry other than the configured proxy, a lockfile entry resolved from another host, or a git/URL/out-of-tree path dependency: each fetches code around the registry firewall, where no rule judges it.",
		Fix:         "Install through the proxy only: remove the extra index or registry setting, and publish the dependency to a registry the proxy serves.",
		Bad:         "--extra-index-url https://example.org/simple",
		Good:        "# index set once, to the proxy, outside the repository (PIP_INDEX_URL)",
		Tags:        supplyChain,
	},
	{
		ID: RuleMalicious, Name: "KnownMaliciousPackage", Title: "Dependency is known to be malicious",
		Category: scanner.CategoryDep, Severity: scanner.Critical, Security: true, CWE: []int{506, 829}, Precision: "very-high",
		Description: "The registry has marked the package as malicious (npm security holding package, PyPI quarantine).",
		Impact:      "Installing this package runs known malware.",
		Fix:         "Remove the dependency and check machines that installed it.",
		Bad:         "\"event-stream\": \"3.3.6\"",
		Good:        "\"event-stream\": \"4.0.1\"",
		Tags:        supplyChain,
	},
}

func ruleInfo(id string) (scanner.RuleInfo, bool) {
	return scanner.Catalogue(Rules).Lookup(id)
}
