#!/usr/bin/env bash
# The scanner's throughput per core — bytes of .py (resp. .js/.cjs/.mjs)
# divided by the scan process's user+sys CPU seconds — on the installed
# Python standard library (site-packages excluded, all workers and
# --workers 1) and on the npm CLI with its node_modules (--include-vendored),
# as `scan --offline --no-repo-config --fail-on none -f json` sees them.
# With BASE=<git ref>, the build of that ref runs too, alternating with this
# one run by run, so that both see the same machine (a shared VM's speed
# drifts by tens of percent within minutes); medians and ranges are printed.
#
# Each build gets an empty data directory (XDG_CACHE_HOME) of its own: its
# first npm run ("npm-cold") builds the npm name index and writes its index
# file (names.index_files), which every later run reads, as a developer's
# second scan does; the rounds report those warm runs.
#
#   bash bench/scan-percore.sh                 # 7 rounds of this build
#   ROUNDS=5 BASE=b5a423f bash bench/scan-percore.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-7}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || { echo "GNU time missing: apt-get install time" >&2; exit 2; }

go build -o "$work/head" ./cmd/vigil-proxy
bins=("$work/head")
if [ -n "${BASE:-}" ]; then
  git worktree add -q --detach "$work/base" "$BASE"
  (cd "$work/base" && go build -o "$work/base-bin" ./cmd/vigil-proxy)
  bins=("$work/base-bin" "$work/head")
fi

pylib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
npmtree=$(npm root -g)/npm
py_bytes=$(find "$pylib" -type f -name '*.py' -not -path '*/site-packages/*' -printf '%s\n' | awk '{s+=$1} END {print s}')
js_bytes=$(find "$npmtree" -type f \( -name '*.js' -o -name '*.cjs' -o -name '*.mjs' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "Python tree $pylib: $py_bytes bytes; npm tree $npmtree: $js_bytes bytes; $(uptime)"

for b in "${bins[@]}"; do
  mkdir -p "$work/cache-$(basename "$b")"
  XDG_CACHE_HOME="$work/cache-$(basename "$b")" /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$b" scan --offline \
    --no-repo-config --fail-on none -f json -o "$work/out.json" --include-vendored "$npmtree" >/dev/null 2>"$work/err" || true
  echo "$(basename "$b") npm-cold $(cat "$work/t") $js_bytes"
done > "$work/raw"

for _ in $(seq "$ROUNDS"); do
  for b in "${bins[@]}"; do
    for cfg in python python-1-worker npm; do
      case $cfg in
        python) args=("$pylib"); bytes=$py_bytes ;;
        python-1-worker) args=(--workers 1 "$pylib"); bytes=$py_bytes ;;
        npm) args=(--include-vendored "$npmtree"); bytes=$js_bytes ;;
      esac
      XDG_CACHE_HOME="$work/cache-$(basename "$b")" /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$b" scan --offline \
        --no-repo-config --fail-on none -f json -o "$work/out.json" "${args[@]}" >/dev/null 2>"$work/err" || true
      echo "$(basename "$b") $cfg $(cat "$work/t") $bytes"
    done
  done
done >> "$work/raw"

python3 - "$work/raw" <<'PY'
import statistics as st, sys
runs = {}
for line in open(sys.argv[1]):
    b, cfg, wall, user, sys_, rss, nbytes = line.split()
    runs.setdefault((cfg, b), []).append((float(wall), float(user) + float(sys_), int(rss), int(nbytes)))
for (cfg, b), v in sorted(runs.items()):
    per = sorted(n / 1048576 / cpu for _, cpu, _, n in v)
    print(f"{cfg:16} {b:9} per core {st.median(per):5.2f} MB/s (range {per[0]:.2f}-{per[-1]:.2f}), "
          f"CPU {st.median(c for _, c, _, _ in v):.2f} s, wall {st.median(w for w, _, _, _ in v):.2f} s, "
          f"peak RSS {max(r for _, _, r, _ in v) / 1024:.0f} MB, {len(v)} runs")
PY
echo "$(uptime)"
