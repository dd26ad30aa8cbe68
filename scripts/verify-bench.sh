#!/usr/bin/env bash
# Times `stforge verify` over corpus/verify (every variant) and corpus/tasks (every solution and
# wrong implementation) and prints the time per property or check: median and maximum, and the
# verdict counts. Usage: scripts/verify-bench.sh [STFORGE] [extra verify options…]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/stforge}
shift || true
out=$(mktemp -d)
n=0
for dir in corpus/verify/*/ corpus/tasks/*/; do
    name=$(basename "$dir")
    for impl in "$dir"*.st; do
        n=$((n + 1))
        "$bin" verify --format json "$@" "$dir$name.spec.toml" "$impl" >"$out/$n.json" 2>/dev/null || true
    done
done
python3 - "$out" <<'PY'
import json, pathlib, statistics, sys
ms, verdicts = [], {}
for f in pathlib.Path(sys.argv[1]).glob("*.json"):
    for pou in json.loads(f.read_text() or "[]"):
        for r in pou["results"]:
            ms.append(r["milliseconds"])
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
print(f"{len(ms)} properties and checks: median {statistics.median(ms):.0f} ms, max {max(ms)} ms")
print("verdicts:", ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
PY
rm -rf "$out"
