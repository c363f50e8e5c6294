# `ustcp bench` smoke test: it runs, prints a row for every workload, --json is valid JSON
# with every workload and its keys, and an unknown workload is refused by name. Benchmarks
# are not tests: no figure and no time is checked here.
source "$(dirname "$0")/lib.bash"
workloads="crr rr bulk idle-memory timewait-memory million synflood"

out=$("$USTCP" bench --quick 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then pass "bench --quick (exit 0)"; else fail "bench --quick: exit $rc"; echo "$out" | sed 's/^/     /'; fi
for w in $workloads; do
  if grep -qE "^$w +[^ ]+ +[^ ]+ " <<<"$out"; then pass "a row for $w"; else fail "no row for $w"; fi
done
grep -q "FAILED" <<<"$out" && fail "a side FAILED: $(echo "$out" | grep FAILED | head -3)"

json=$("$USTCP" bench --quick --json 2>/dev/null)
rc=$?
if [ "$rc" -eq 0 ]; then pass "bench --quick --json (exit 0)"; else fail "bench --quick --json: exit $rc"; fi
if echo "$json" | python3 -m json.tool >/dev/null 2>&1; then pass "--json parses with python3 -m json.tool"; else fail "--json is not JSON: $(echo "$json" | head -5)"; fi
missing=$(echo "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for w in sys.argv[1:]:
    if w not in d:
        print(w)
        continue
    for k in ("ustcp", "kernel", "ratio", "unit"):
        if k not in d[w]:
            print(w + "." + k)
' $workloads 2>&1)
if [ -z "$missing" ]; then pass "--json has every workload with ustcp, kernel, ratio, unit"; else fail "--json lacks: $missing"; fi

expect_rc 2 "unknown workload" "$USTCP" bench --quick frobnicate
msg=$("$USTCP" bench --quick crr frobnicate 2>&1)
if grep -q "frobnicate" <<<"$msg"; then pass "message names the workload: $msg"; else fail "message does not name the workload: $msg"; fi
finish
