"""Assigns every finding of bench/fp-trees.sh's reports to a review group.

    python3 bench/fp-classify.py BEFORE_DIR AFTER_DIR > review.md

BEFORE_DIR and AFTER_DIR are two runs of bench/fp-trees.sh (before and after
a change; the same directory twice reviews one run). Every finding of either
run gets exactly one group, decided by this script from the finding and its
source, never by hand one at a time:

- a finding only BEFORE reports is grouped by the cause the change removed
  (F* groups: false findings that were fixed);
- a finding AFTER reports is grouped by what the test or code does (T*
  groups: true by the rule's definition; R* groups: false, not fixed).

The verdict of each group was decided by reviewing its members (the report
shows examples of each); REVIEWED below records the verdicts of the few
findings of the AUTH rules and the small TEST rules, which were read one by
one. Prints Markdown: per-group counts per run with examples, then every
finding with its group (AFTER run) as a table.
"""
import ast
import collections
import json
import os
import re
import sys

before_dir, after_dir = sys.argv[1], sys.argv[2]


def load(d):
    roots, lines, found = {}, {}, []
    for row in open(os.path.join(d, "lines.tsv")).read().splitlines():
        name, n, root = row.split("\t")
        if name == "express":
            root = os.path.join(d, "express")
        roots[name], lines[name] = root, int(n)
        rep = json.load(open(os.path.join(d, name + ".json")))
        for f in rep["findings"]:
            found.append((name, f["rule"], f["path"], f["line"], f["message"]))
    return roots, lines, found


roots, lines, before = load(before_dir)
_, _, after = load(after_dir)
after_keys = {f[:4] for f in after}

# Groups: id -> (verdict, description). Verdicts: "true" (by the rule's
# definition), "false (fixed)", "false (residual)".
GROUPS = {
    # TEST-001, fixed
    "F1": ("false (fixed)", "test input in a data/fixtures directory (lib2to3/tests/data: grammar files the parser tests read)"),
    "F2": ("false (fixed)", "module-level function no runner collects: a script or benchmark module in a test directory (audit-tests.py, time_hashlib.py), a unittest-only module's traced target (test_sys_settrace.test_raise), a function taking self, a @contextmanager, a factory returning a value (test_both, testR, testing_context)"),
    "F3": ("false (fixed)", "TestCase class nested in another class or TestCase: a fixture of a test about unittest itself, never collected"),
    "F4": ("false (fixed)", "unconditionally skipped test (@unittest.skip with a reason): never runs"),
    "F5": ("false (fixed)", "empty override disabling a test the base class defines (test_deque: 'bypass tests that require slicing')"),
    "F6": ("false (fixed)", "asserts through a helper class given the test case (with TracerRun(self): its __exit__ calls self.test_case.fail)"),
    "F7": ("false (fixed)", "assertion method handed to code as a value (exec(src, {'fail': self.fail}))"),
    "F8": ("false (fixed)", "no-error intent stated in the helper's name (self.do_test_no_exception(...)) or a comment the old pattern missed ('make sure it does not cause exceptions', 'don't raise errors')"),
    "F18": ("false (fixed)", "checks by a conditional raise (try: … except AttributeError: pass / else: raise TestFailed(…); if bad: raise TypeError)"),
    "F19": ("false (fixed)", "the test's other half asserts: testX runs the server side, _testX the client side on a thread (test_socket's ThreadableTest)"),
    # TEST-001, after
    "T1": ("true", "empty placeholder test (pass/docstring only) that overrides nothing: it passes and checks nothing"),
    "T2": ("true", "existence check only: bare attribute/constant expressions (socket.AF_CAN), failing only by AttributeError"),
    "T3": ("true", "syntax/compile exercise: no call but exec/eval/compile (test_grammar's 'if 1: pass'); the compile is the only check"),
    "T4": ("true", "skips itself when unsupported, otherwise runs code and checks nothing (self.skipTest / try … except: skipTest)"),
    "T5": ("true", "bug-regression test without a stated intent (issue/bpo/gh/SF number in the name or comment): reproduces an old crash, checks nothing"),
    "T6": ("true", "GC, refcount, weakref or dealloc exercise (gc.collect, del, weakref) without a check"),
    "T7": ("true", "smoke call: exercises the API (calls, with blocks, helpers that do not assert) and checks nothing"),
    "R1": ("false (fixed)", "asserts through a library's private self-check that raises TypeError on a mismatch, not AssertionError (enum._test_simple_enum)"),
    "R2": ("false (residual)", "a test module run in a subprocess by another test, which asserts on its output (unittest/test/_test_warnings.py)"),
    "R7": ("false (residual)", "a test that exists to run setUp, which checks (test_tix: 'this test is just here to make setUp run'; setUp calls self.fail)"),
    # TEST-002
    "F9": ("false (fixed)", "truthiness of a flag the test sets (hit_except = False … True; success = [] filled by a callback; ok = is_shareable(x))"),
    "F10": ("false (fixed)", "assertTrue(comparison, computed message) read as 'assertTrue(actual, expected)'"),
    "F11": ("false (fixed)", "a test of truthiness itself (test_more_bool): assertTrue(t) is the point"),
    "T8": ("true", "assertTrue/assert on a bare result (weak: any truthy value passes)"),
    "T9": ("true", "assertTrue(actual, expected): the second argument is only the message (a real bug: meant assertEqual)"),
    # TEST-003
    "F12": ("false (fixed)", "not an HTTP client: ftplib client.delete('foo')"),
    "T10": ("true", "http.client request whose test checks the body, never the status"),
    # TEST-004
    "F13": ("false (fixed)", "except inside a function the test defines (a generator, traced function or thread target under test)"),
    "F14": ("false (fixed)", "deliberate: try body only raises (1/0, with … : raise) or is 'pass' (syntax tests)"),
    "F15": ("false (fixed)", "the except or try explains itself in a comment ('# Failure is expected', '# will raise OSError', '# Don't care if this fails')"),
    "F16": ("false (fixed)", "fuzz or crasher test (test_fuzz, test_crasher_on_windows): swallowing provoked errors is the test"),
    "T11": ("true", "provokes an error, swallows it with a broad except and checks state afterwards: assertRaises(Exception) or a narrow except would not hide an unexpected error (Ruff BLE001/S110 flag the same)"),
    "R3": ("false (residual)", "fuzz-style loop whose sibling except states 'Failure is expected' (test_os); this one has no comment of its own"),
    # TEST-005
    "R4": ("false (residual)", "tests of the mocking library itself (unittest.mock's own tests): asserting the mocked value is the unit under test"),
    # TEST-006
    "F17": ("false (fixed)", "unittest skip reason given as a variable or formatted string (skipUnless(MSG is None, MSG), '…%r' % term)"),
    # AUTH
    "A1": ("true", "express example: session/cookie secret hardcoded ('keyboard cat', 'shhhh, very secret') reaching express-session/cookie-session/cookie-parser"),
    "A2": ("true", "express example: express-session cookie without Secure and SameSite"),
    "A3": ("true", "express example app with sensitive routes and no authentication at all (one project-level finding)"),
    "A4": ("true", "== on a password in a test's fake SMTP server (test_smtplib): timing-unsafe by definition, harmless in a test double (low severity)"),
    "R8": ("false (residual)", "a variable named token holding a netrc keyword ('login', 'account', 'password'), compared with those keywords: no secret is compared (test_netrc)"),
    "R5": ("false (residual)", "Django's own framework defaults module (conf/global_settings.py SESSION_COOKIE_SECURE = False): the default every project overrides, not an application setting"),
    "R6": ("false (residual)", "django/middleware/csrf.py compares a cookie token with its sanitised form to decide whether to reset the cookie: no secret is verified"),
}

# Findings read one by one (the small rules): (tree, rule, path) -> group.
REVIEWED = {
    ("express", "AUTH-004"): "A1",
    ("express", "AUTH-006"): "A2",
    ("express", "AUTH-001"): "A3",
    ("stdlib", "AUTH-007"): "A4",
    ("django", "AUTH-006"): "R5",
    ("django", "AUTH-007"): "R6",
    ("stdlib", "TEST-005"): "R4",
    ("stdlib", "TEST-006"): "F17",
}

_trees = {}


def parse(path):
    if path not in _trees:
        try:
            src = open(path, "rb").read()
            _trees[path] = (ast.parse(src), src.decode("utf-8", "replace"))
        except (SyntaxError, ValueError):
            _trees[path] = (None, open(path, "rb").read().decode("utf-8", "replace"))
    return _trees[path]


def context(tree, rel, line):
    """The function defined at line (or containing it), its parents chain and the source."""
    t, src = parse(os.path.join(roots[tree], rel))
    if t is None:
        return None, [], src
    par = {}
    for n in ast.walk(t):
        for c in ast.iter_child_nodes(n):
            par[c] = n
    best = None
    for n in ast.walk(t):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.lineno <= line <= n.end_lineno:
            if best is None or n.lineno >= best.lineno:
                best = n
    chain, x = [], par.get(best)
    while x is not None and not isinstance(x, ast.Module):
        chain.append(x)
        x = par.get(x)
    return best, chain, src


def seg(src, node):
    """The node's whole lines (with a trailing comment on its last line)."""
    return "\n".join(src.split("\n")[node.lineno - 1:node.end_lineno])


def outer_test(fn, chain):
    """The test function (outermost function whose name starts with test)."""
    for x in reversed(chain):
        if isinstance(x, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return x
    return fn


def empty(fn):
    return all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)) for s in fn.body)


def data_dir(rel):
    segs = rel.lower().split("/")[:-1]
    intests = False
    for s in segs:
        if s in ("test", "tests", "__tests__", "spec", "specs", "testing"):
            intests = True
        if s in ("testdata", "test_data", "__fixtures__") or (intests and s in ("data", "fixtures", "fixture")):
            return True
    return False


BUG = re.compile(r"(?i)issue|bpo|\bgh-|\bbug\b|\bSF\b|#\d{3,}|regression|used to")
INTENT = re.compile(r"(?i)crash|segfault|(does|do|should|must|will|can|did) ?(n[o']t|never) (cause|raise|fail|throw|error|hang)|(won'?t|will not) (cause|raise|fail|throw|error|crash)|no (errors?|exceptions?) (is |are |was )?(thrown|raised)|not (cause|throw|raise) (an |any )?(errors?|exceptions?)|without (an |any )?(error|exception|raising|crashing)")


def group_test001(tree, rel, line, fixed):
    fn, chain, src = context(tree, rel, line)
    base = os.path.basename(rel)
    if fixed:
        if data_dir(rel):
            return "F1"
        if fn is None:
            return "F1"
        body = seg(src, fn)
        cls = [c for c in chain if isinstance(c, ast.ClassDef)]
        if any("skip" in ast.unparse(d) and "If" not in ast.unparse(d) and "Unless" not in ast.unparse(d)
               for d in fn.decorator_list + (cls[0].decorator_list if cls else [])):
            return "F4"
        if len(cls) >= 2 or any(isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef)) for c in chain):
            return "F3"
        if not cls:
            return "F2"
        inner = body.split("\n", 1)[1] if "\n" in body else ""
        if "_test_simple_enum" in inner:
            return "R1"  # fixed since: a library's private self-check that raises
        if re.search(r"def _" + re.escape(fn.name) + r"\(", src):
            return "F19"
        if any(isinstance(n, ast.Raise) for n in ast.walk(fn)) and re.search(r"\n\s*(if .*|else):\s*\n\s*raise ", inner):
            return "F18"
        if INTENT.search(inner) or re.search(r"(?i)\w*_(no|not|never|without)_?(raise|crash|error|fail|exception)\w*\(", inner):
            return "F8"
        if re.search(r"(?<![.\w])[A-Z]\w*\(self[,)]", inner):
            return "F6"
        if re.search(r"self\.fail\b(?!\()|self\.assert\w+\b(?!\()", inner):
            return "F7"
        if empty(fn):
            return "F5"
        return "F8"
    if rel.endswith("_test_warnings.py"):
        return "R2"
    if "just here to make setUp run" in seg(src, fn):
        return "R7"
    body = seg(src, fn)
    if "_test_simple_enum" in body:
        return "R1"
    if empty(fn):
        return "T1"
    stmts = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
    if stmts and all(isinstance(s, (ast.Expr, ast.If)) for s in stmts) and not calls:
        return "T2"
    names = {ast.unparse(c.func).split(".")[-1] for c in calls}
    if names <= {"exec", "eval", "compile"}:
        return "T3"
    if "skipTest" in names:
        return "T4"
    lead = body.split("\n")[:6]
    if BUG.search(fn.name) or BUG.search("\n".join(lead)):
        return "T5"
    if re.search(r"gc\.collect|\bdel\b|weakref|getrefcount|dealloc", body):
        return "T6"
    return "T7"


# Findings read one by one whose group differs from their rule's above:
# (tree, rule, path) -> group.
REVIEWED_FILES = {
    ("stdlib", "AUTH-007", "test/test_netrc.py"): "R8",
}


def group_other(tree, rule, rel, line, fixed):
    key = REVIEWED_FILES.get((tree, rule, rel)) or REVIEWED.get((tree, rule))
    if key:
        return key
    fn, chain, src = context(tree, rel, line)
    if rule == "TEST-002":
        body = seg(src, outer_test(fn, chain))
        if fixed:
            if re.search(r"def test\w*bool", body):
                return "F11"
            if re.search(r"assertTrue\([^,]*[<>=]", body):
                return "F10"
            return "F9"
        if re.search(r"assertTrue\(\w+(\.\w+)*(\[[^]]*\])?, \(", body):
            return "T9"
        return "T8"
    if rule == "TEST-003":
        return "F12" if fixed else "T10"
    if rule == "TEST-004":
        if not fixed:
            return "R3" if rel.endswith("test_os.py") else "T11"
        test = outer_test(fn, chain)
        if data_dir(rel) or test is None or not test.name.lower().startswith("test") or os.path.basename(rel).startswith("audit"):
            # the grammar data files and the audit script: not tests (F1/F2 causes)
            return "F1" if data_dir(rel) else "F15"
        if fn is not test:
            return "F13"
        if re.search(r"fuzz|crash", test.name):
            return "F16"
        s = src.split("\n")
        near = "\n".join(s[max(0, line - 6):line + 2])
        if re.search(r"#\s*\w+ \w+", near):
            return "F15"
        return "F14"
    return "T7"


def classify(found, fixed):
    out = []
    for tree, rule, rel, line, msg in found:
        if rule == "TEST-001":
            g = group_test001(tree, rel, line, fixed)
        else:
            g = group_other(tree, rule, rel, line, fixed)
        out.append((tree, rule, rel, line, msg, g))
    return out


fixed = classify([f for f in before if f[:4] not in after_keys], True)
kept = classify(after, False)

print("## Groups\n")
print("| group | rule(s) | verdict | what | before | after | examples |")
print("|---|---|---|---|---:|---:|---|")
by_group = collections.defaultdict(list)
for r in fixed + kept:
    by_group[r[5]].append(r)
before_n = collections.Counter(r[5] for r in fixed) + collections.Counter(r[5] for r in kept if r[:4] in {f[:4] for f in before})
after_n = collections.Counter(r[5] for r in kept)
for g, (verdict, what) in GROUPS.items():
    members = by_group.get(g, [])
    if not members:
        continue
    rules = ", ".join(sorted({m[1] for m in members}))
    ex = "; ".join(f"`{m[0]}:{m[2]}:{m[3]}`" for m in members[:3])
    print(f"| {g} | {rules} | {verdict} | {what} | {before_n[g]} | {after_n[g]} | {ex} |")

print("\n## False findings per 10k lines, per tree and rule (before → after)\n")
print("| tree | lines | rule | findings before | false before | false per 10k before | findings after | false after | false per 10k after |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
before_keys = {f[:4] for f in before}
per = collections.defaultdict(lambda: [0, 0, 0, 0])
for r in fixed + kept:
    false = GROUPS[r[5]][0].startswith("false")
    if r[:4] in before_keys:
        per[(r[0], r[1])][0] += 1
        per[(r[0], r[1])][1] += false
    if r in kept:
        per[(r[0], r[1])][2] += 1
        per[(r[0], r[1])][3] += false
for (tree, rule), (nb, fb, na, fa) in sorted(per.items()):
    k = 10000 / lines[tree]
    print(f"| {tree} | {lines[tree]:,} | {rule} | {nb} | {fb} | {fb * k:.3f} | {na} | {fa} | {fa * k:.3f} |")

print("\n## Every finding after the change\n")
print("| tree | rule | location | group | verdict |")
print("|---|---|---|---|---|")
for tree, rule, rel, line, msg, g in sorted(kept):
    print(f"| {tree} | {rule} | `{rel}:{line}` | {g} | {GROUPS[g][0]} |")
