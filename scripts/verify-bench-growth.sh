#!/usr/bin/env bash
# How the time of `stforge verify` grows with --depth and with the number of timers.
#   depth:  corpus/verify/burner_control/correct.st against its spec with the ignition safety
#           time shortened to T#1990ms (violated in scan 30: below that depth BMC runs to the
#           depth and the verdict is unknown), at --depth 5, 10, 20, 40;
#   timers: a generated function block with N TON in a chain (Out rises N × 100 ms after
#           Start), an invariant and a response within exactly N × 100 ms, N = 1, 2, 4, 8.
# Each point runs REPS times (default 3); printed: the verdicts, the median wall time of the
# run, and the median time of its slowest property. Usage:
#   scripts/verify-bench-growth.sh [STFORGE]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/stforge}
reps=${REPS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Runs verify REPS times; prints verdicts, median wall ms, median slowest-property ms.
point() {
    local label=$1
    shift
    for r in $(seq "$reps"); do
        local t0 t1
        t0=$(date +%s%N)
        "$bin" verify --format json "$@" >"$out/run$r.json" 2>/dev/null || true
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000)) >"$out/wall$r"
    done
    python3 - "$out" "$reps" "$label" <<'PY'
import json, pathlib, statistics, sys
out, reps, label = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
walls, slowest, verdicts, inv = [], [], "", ""
for r in range(1, reps + 1):
    walls.append(int((out / f"wall{r}").read_text()))
    pou = json.loads((out / f"run{r}.json").read_text())[0]
    slowest.append(max(x["milliseconds"] for x in pou["results"]))
    verdicts = " ".join(
        f"{x['name']}={x['verdict']}" + (f"@k{x['k']}" if "k" in x else f"@d{x.get('depth')}")
        for x in pou["results"] if x["kind"] != "implicit")
    inv = f"{pou.get('invariants', 0)} invariants in {pou.get('invariants_milliseconds', 0)} ms"
print(f"{label:<12} wall {statistics.median(walls):>6.0f} ms  slowest property "
      f"{statistics.median(slowest):>6.0f} ms  {inv}  {verdicts}")
PY
}

spec=corpus/verify/burner_control/burner_control.spec.toml
sed 's/within = "T#2s"/within = "T#1990ms"/' "$spec" >"$out/burner_control.spec.toml"
echo "# growth with --depth (burner_control, within T#1990ms, --timeout 60)"
for depth in 5 10 20 40; do
    point "depth $depth" --depth "$depth" --timeout 60 "$out/burner_control.spec.toml" \
        corpus/verify/burner_control/correct.st
done

echo "# growth with the number of timers (TON chain, --depth 20, --timeout 60)"
for n in 1 2 4 8; do
    mkdir -p "$out/chain$n"
    python3 - "$n" "$out/chain$n" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
timers = "\n".join(f"    T{i} : TON;" for i in range(1, n + 1))
calls = ["    T1(IN := Start, PT := T#100ms);"] + [
    f"    T{i}(IN := T{i - 1}.Q, PT := T#100ms);" for i in range(2, n + 1)]
nl = "\n"
open(f"{out}/chain.st", "w").write(f"""FUNCTION_BLOCK Chain
VAR_INPUT
    Start : BOOL;
END_VAR
VAR_OUTPUT
    Out : BOOL;
END_VAR
VAR
{timers}
END_VAR
{nl.join(calls)}
    Out := T{n}.Q;
END_FUNCTION_BLOCK
""")
open(f"{out}/chain.spec.toml", "w").write(f"""[pou]
name = "Chain"
kind = "function_block"
description = "{n} on-delay timers in a chain: Out rises {n} x 100 ms after Start, falls with it."

[pou.inputs]
Start = {{ type = "BOOL" }}

[pou.outputs]
Out = "BOOL"

[scan]
cycle = "T#100ms"

[[property]]
name = "out_needs_start"
assert = "NOT Out OR Start"

[[property]]
name = "out_in_time"
when = "Start"
then = "Out OR NOT Start"
within = "T#{n * 100}ms"
""")
PY
    point "$n TON" --depth 20 --timeout 60 "$out/chain$n/chain.spec.toml" "$out/chain$n/chain.st"
done
