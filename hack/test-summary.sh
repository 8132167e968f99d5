#!/usr/bin/env bash
# Sums the TRX files under $1 and prints one plain closing line: "tests: N passed, N failed, N skipped".
# Exits non-zero when any test failed or no test ran.
set -euo pipefail
dir="${1:-TestResults}"
passed=0; failed=0; total=0; executed=0
while IFS= read -r -d '' trx; do
  counters=$(grep -o '<Counters [^>]*' "$trx" | head -n1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$((total + $(get total))); executed=$((executed + $(get executed)))
  passed=$((passed + $(get passed))); failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
done < <(find "$dir" -name '*.trx' -print0 2>/dev/null)
skipped=$((total - executed))
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
