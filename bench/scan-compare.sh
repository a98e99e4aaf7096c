#!/usr/bin/env bash
# Scanner throughput against bandit (Python) and eslint-plugin-security (JS),
# measured in the same run on the same trees:
#   - the installed Python standard library (site-packages excluded for every tool);
#   - the npm CLI's installed source WITH its node_modules (--include-vendored).
# Prints wall time, CPU time (user+sys), MB/s, files/s and peak RSS (VmHWM,
# from GNU time) per tool, the ratios, and the scanner's throughput per core:
# bytes scanned / CPU seconds (user+sys), which a machine shared with other
# work does not distort the way wall time is. Needs: go, gcc, bandit (Debian), node/npm (eslint is
# installed into a temporary directory from the npm registry).
#
#   bash bench/scan-compare.sh            # 3 rounds, median reported
#   ROUNDS=1 bash bench/scan-compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v bandit >/dev/null || { echo "bandit missing: apt-get install bandit" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time missing: apt-get install time" >&2; exit 2; }

pylib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
npmtree=$(npm root -g)/npm
go build -o "$work/vigil-proxy" ./cmd/vigil-proxy

# eslint 9 + eslint-plugin-security, flat config with the plugin's recommended rules.
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent eslint@9 eslint-plugin-security@3 >/dev/null)
cat > "$work/eslint.config.mjs" <<'JS'
import security from "eslint-plugin-security";
export default [
  security.configs.recommended,
  { files: ["**/*.js", "**/*.cjs", "**/*.mjs"],
    languageOptions: { ecmaVersion: "latest", sourceType: "commonjs" },
    linterOptions: { reportUnusedDisableDirectives: "off" } },
];
JS

bytes_of() { find "$1" -type f \( "${@:2}" \) -not -path '*/site-packages/*' -printf '%s\n' | awk '{s+=$1} END {print s}'; }
files_of() { find "$1" -type f \( "${@:2}" \) -not -path '*/site-packages/*' | wc -l; }
py_bytes=$(bytes_of "$pylib" -name '*.py'); py_files=$(files_of "$pylib" -name '*.py')
js_bytes=$(bytes_of "$npmtree" -name '*.js' -o -name '*.cjs' -o -name '*.mjs'); js_files=$(files_of "$npmtree" -name '*.js' -o -name '*.cjs' -o -name '*.mjs')

# measure NAME CMD...: runs ROUNDS times, records "seconds maxrss_kb cpu_seconds" per round.
measure() {
  local name=$1; shift
  : > "$work/$name.times"
  for _ in $(seq "$ROUNDS"); do
    /usr/bin/time -f '%e %M %U %S' -o "$work/t" "$@" >/dev/null 2>"$work/$name.err" || true
    tail -n1 "$work/t" | awk '{print $1, $2, $3 + $4}' >> "$work/$name.times"
  done
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
report() { # name bytes files
  local s rss cpu
  s=$(awk '{print $1}' "$work/$1.times" | median)
  cpu=$(awk '{print $3}' "$work/$1.times" | median)
  rss=$(awk '{print $2}' "$work/$1.times" | sort -n | tail -n1)
  awk -v n="$1" -v s="$s" -v c="$cpu" -v b="$2" -v f="$3" -v r="$rss" \
    'BEGIN {printf "%-28s %8.2fs wall %8.2fs cpu %8.2f MB/s %9.0f files/s  peak RSS %6.1f MB\n", n, s, c, b/1048576/s, f/s, r/1024}'
  echo "$s" > "$work/$1.median"
  echo "$cpu" > "$work/$1.cpu"
}

echo "Python tree: $pylib ($py_files files, $((py_bytes/1048576)) MB, site-packages excluded)"
# The scanner keeps its name index files in a data directory of this run
# (XDG_CACHE_HOME): the first round writes them, as a machine's first scan
# does, and later rounds read them (the median is a later round's).
export XDG_CACHE_HOME="$work/cache"
measure vigil-py    "$work/vigil-proxy" scan --offline --no-repo-config --fail-on none -f json -o "$work/v.json" "$pylib"
measure vigil-py-1cpu "$work/vigil-proxy" scan --offline --no-repo-config --fail-on none --workers 1 -f json -o "$work/v1.json" "$pylib"
measure bandit      bandit -r -q -f json -o "$work/b.json" -x '*/site-packages/*' "$pylib"
echo "JS tree: $npmtree ($js_files files, $((js_bytes/1048576)) MB, node_modules included)"
measure vigil-js    "$work/vigil-proxy" scan --offline --no-repo-config --include-vendored --fail-on none -f json -o "$work/vj.json" "$npmtree"
# ESLint 9 lints only files under its base path and skips node_modules even
# with --no-ignore when given a directory: hand it every file explicitly.
find "$npmtree" -type f \( -name '*.js' -o -name '*.cjs' -o -name '*.mjs' \) > "$work/jsfiles"
eslint_run() { cd "$npmtree" && xargs -a "$work/jsfiles" "$work/node_modules/.bin/eslint" --no-config-lookup -c "$work/eslint.config.mjs" --no-ignore -f json -o "$work/e.json"; }
export -f eslint_run; export npmtree work
measure eslint-security bash -c eslint_run

echo
report vigil-py "$py_bytes" "$py_files"
report vigil-py-1cpu "$py_bytes" "$py_files"
report bandit "$py_bytes" "$py_files"
report vigil-js "$js_bytes" "$js_files"
report eslint-security "$js_bytes" "$js_files"
echo
awk -v v="$(cat "$work/vigil-py.median")" -v b="$(cat "$work/bandit.median")" 'BEGIN {printf "vigil-proxy vs bandit (Python):               %.1fx faster\n", b/v}'
awk -v v="$(cat "$work/vigil-js.median")" -v e="$(cat "$work/eslint-security.median")" 'BEGIN {printf "vigil-proxy vs eslint-plugin-security (JS):   %.1fx faster\n", e/v}'
awk -v c="$(cat "$work/vigil-py.cpu")" -v b="$py_bytes" 'BEGIN {printf "vigil-proxy per core (Python, bytes/CPU s):   %.1f MB/s\n", b/1048576/c}'
awk -v c="$(cat "$work/vigil-py-1cpu.cpu")" -v b="$py_bytes" 'BEGIN {printf "  same with --workers 1 (bytes/CPU s):        %.1f MB/s\n", b/1048576/c}'
awk -v c="$(cat "$work/vigil-js.cpu")" -v b="$js_bytes" 'BEGIN {printf "vigil-proxy per core (JS, bytes/CPU s):       %.1f MB/s\n", b/1048576/c}'
for j in "$work/v.json" "$work/vj.json"; do
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print("vigil-proxy summary: %d files, %.1f MB read, %d files / %.1f MB parsed" % (s["files"], s["bytes"]/1048576, s["parsed_files"], s["parsed_bytes"]/1048576))' "$j"
done
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("eslint-plugin-security linted", len(d), "files")' "$work/e.json"
