#!/usr/bin/env bash
# False-positive measurement of the AUTH and TEST rules on real,
# application-shaped code (issue 9's acceptance): Debian's python3-django,
# python3-djangorestframework, python3-flask, node-express (library and
# examples), the installed Python standard library with its test suite, pip's
# installed source and the npm CLI's installed source with its dependencies.
# Writes one JSON report per tree into OUT and prints findings, lines and
# findings per 10k lines per rule and per tree.
#
#   apt-get install -y python3-django python3-djangorestframework python3-flask node-express python3-pip npm
#   bash bench/fp-trees.sh [OUT]        # default OUT: a temporary directory, kept
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
mkdir -p "$out"
go build -o "$out/vigil-proxy" ./cmd/vigil-proxy

dist=/usr/lib/python3/dist-packages
stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
npmtree=$(npm root -g)/npm
for d in "$dist/django" "$dist/rest_framework" "$dist/flask" "$dist/pip" /usr/share/nodejs/express \
  /usr/share/doc/node-express/examples "$stdlib/test" "$npmtree/node_modules"; do
  [ -d "$d" ] || { echo "missing $d: install the Debian packages above" >&2; exit 2; }
done
# express: the library and its examples in one tree (the examples require '../../').
rm -rf "$out/express" && mkdir -p "$out/express"
cp -r /usr/share/nodejs/express/. "$out/express/" && cp -r /usr/share/doc/node-express/examples "$out/express/"

# tree NAME DIR [extra scan flags]
trees=(
  "django|$dist/django|"
  "drf|$dist/rest_framework|"
  "flask|$dist/flask|"
  "express|$out/express|"
  "stdlib|$stdlib|"
  "pip|$dist/pip|"
  "npm|$npmtree|--include-vendored"
)
lines_of() { # DIR VENDORED: lines of the Python/JS/TS sources the scan walks
  local skip=(-path '*/__pycache__' -prune -o)
  [ "$2" = "--include-vendored" ] || skip+=(-path '*/site-packages' -prune -o -path '*/node_modules' -prune -o)
  find "$1" "${skip[@]}" -type f \( -name '*.py' -o -name '*.js' -o -name '*.cjs' -o -name '*.mjs' -o -name '*.ts' -o -name '*.tsx' -o -name '*.jsx' \) \
    -not -name '*.min.js' -print0 | xargs -0 cat | wc -l
}
: > "$out/lines.tsv"
for t in "${trees[@]}"; do
  IFS='|' read -r name dir flags <<<"$t"
  # shellcheck disable=SC2086
  "$out/vigil-proxy" scan --offline --no-repo-config -C tests -C auth -f json --fail-on none $flags -o "$out/$name.json" "$dir"
  printf '%s\t%s\t%s\n' "$name" "$(lines_of "$dir" "$flags")" "$dir" >> "$out/lines.tsv"
done
python3 bench/fp-table.py "$out"
echo "reports in $out"
