#!/usr/bin/env bash
# Times `stforge verify` over corpus/verify (every variant) and corpus/tasks (every solution and
# wrong implementation) and prints the time per property or check: median and maximum, and the
# verdict counts, and the wall time per file.
# Usage: scripts/verify-bench.sh [STFORGE] [extra verify options…]
# STFORGE_BENCH_GREP=WORD keeps the programs whose spec contains WORD (e.g. REAL).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/stforge}
shift || true
out=$(mktemp -d)
n=0
for dir in corpus/verify/*/ corpus/tasks/*/; do
    name=$(basename "$dir")
    if [ -n "${STFORGE_BENCH_GREP:-}" ] && ! grep -q "$STFORGE_BENCH_GREP" "$dir$name.spec.toml"; then
        continue
    fi
    for impl in "$dir"*.st; do
        n=$((n + 1))
        t0=$(date +%s%N)
        "$bin" verify --format json "$@" "$dir$name.spec.toml" "$impl" >"$out/$n.json" 2>/dev/null || true
        t1=$(date +%s%N)
        echo "$(((t1 - t0) / 1000000)) $impl" >"$out/$n.wall"
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
walls = sorted((int(w.read_text().split()[0]), w.read_text().split()[1])
               for w in pathlib.Path(sys.argv[1]).glob("*.wall"))
print(f"{len(walls)} files, wall time per file (invariant search and all checks): "
      f"median {statistics.median(w for w, _ in walls):.0f} ms, max {walls[-1][0]} ms")
print("slowest:", ", ".join(f"{f} {w} ms" for w, f in walls[-5:][::-1]))
print("over 10 s:", sum(1 for w, _ in walls if w > 10000))
PY
rm -rf "$out"
