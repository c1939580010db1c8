#!/usr/bin/env bash
# Side-by-side speed and accuracy: ccsim against the Python DES peers in
# ../shared/peers on the same M/M/c+M workload (lambda = 1 call/s, mean handle
# 180 s, mean patience 300 s, 190 agents, 1,000,000 calls), one replication on one
# thread, same machine, one run. Prints calls per wall-clock second for each, the
# ratio, each one's KPIs against the exact Erlang A values, and ccsim's peak
# memory at 1x and 10x the calls.
#
#   bash benches/peers.sh            # ccsim vs SimPy
#   CIW=1 bash benches/peers.sh      # also Ciw (on 20,000 calls: it is slow)
#
# SimPy (and Ciw) are installed into .venv/peers on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS="${PEERS_DIR:-../shared/peers}"
CALLS="${CALLS:-1000000}"
VENV=.venv/peers
if [ ! -f "$PEERS/simpy_erlang_a.py" ]; then
  echo "peers.sh: no peer models at $PEERS (set PEERS_DIR)" >&2
  exit 2
fi
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -c 'import simpy' 2>/dev/null || "$VENV/bin/pip" install -q simpy
if [ "${CIW:-0}" = 1 ]; then
  "$VENV/bin/python" -c 'import ciw' 2>/dev/null || "$VENV/bin/pip" install -q ciw
fi
cargo build --release -q --bin ccsim
CCSIM=target/release/ccsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

hours=$(python3 -c "print(repr($CALLS / 3600.0))")
sed "s/horizon_h: 277.77777777777777/horizon_h: $hours/" benches/erlang-a-1m.ron > "$tmp/w1.ron"
hours10=$(python3 -c "print(repr(10 * $CALLS / 3600.0))")
sed "s/horizon_h: 277.77777777777777/horizon_h: $hours10/" benches/erlang-a-1m.ron > "$tmp/w10.ron"

echo "workload: lambda=1/s, AHT 180 s, patience 300 s, 190 agents, $CALLS calls, 1 thread" >&2
"$CCSIM" run "$tmp/w1.ron" --threads 1 -f json --timings -q > "$tmp/ccsim.json"
"$CCSIM" run "$tmp/w10.ron" --threads 1 -f json --timings -q > "$tmp/ccsim10.json"
"$CCSIM" erlang --calls-per-hour 3600 --aht-s 180 --agents 190 --patience-s 300 -f json > "$tmp/exact.json"
"$VENV/bin/python" "$PEERS/simpy_erlang_a.py" --lam 1 --mean-service 180 --mean-patience 300 \
  --agents 190 --calls "$CALLS" --seed 1 > "$tmp/simpy.json"
if [ "${CIW:-0}" = 1 ]; then
  "$VENV/bin/python" "$PEERS/ciw_erlang_a.py" --lam 1 --mean-service 180 --mean-patience 300 \
    --agents 190 --calls "${CIW_CALLS:-20000}" --seed 1 > "$tmp/ciw.json"
fi

python3 - "$tmp" <<'PY'
import json, os, sys
d = sys.argv[1]
c = json.load(open(f"{d}/ccsim.json")); c10 = json.load(open(f"{d}/ccsim10.json"))
x = json.load(open(f"{d}/exact.json"))["kpis"]
rows = []
t = c["timing"]
rows.append(("ccsim", t["calls"], t["wall_s"], t["calls"] / t["wall_s"],
             c["kpis"]["asa_s"]["mean"], c["kpis"]["service_level"]["mean"], c["kpis"]["abandon_rate"]["mean"]))
for peer in ("simpy", "ciw"):
    p = f"{d}/{peer}.json"
    if os.path.exists(p):
        s = json.loads(open(p).read().strip().splitlines()[-1])
        rows.append((peer, s["calls"], s["wall_s"], s["calls"] / s["wall_s"],
                     s["asa_s"], s["service_level"], s["abandon_rate"]))
print(f"{'model':8} {'calls':>9} {'wall s':>8} {'calls/s':>12} {'ASA s':>7} {'SL':>7} {'aband.':>7}")
for r in rows:
    print(f"{r[0]:8} {r[1]:9d} {r[2]:8.3f} {r[3]:12.0f} {r[4]:7.3f} {r[5]:7.4f} {r[6]:7.4f}")
print(f"{'exact':8} {'':9} {'':8} {'':12} {x['asa_s']:7.3f} {x['service_level']:7.4f} {x['abandon_rate']:7.4f}")
for r in rows[1:]:
    print(f"ccsim / {r[0]}: {rows[0][3] / r[3]:.0f}x calls per second")
t10 = c10["timing"]
print(f"ccsim peak memory: {t['peak_rss_kib'] / 1024:.1f} MiB at {t['calls']} calls, "
      f"{t10['peak_rss_kib'] / 1024:.1f} MiB at {t10['calls']} calls")
PY
