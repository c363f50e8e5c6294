# `ustcp transfer` over 5% loss, 5% reordering and 1% duplication, three seeds: every byte
# arrives intact and both ends close cleanly (issue: the engine's acceptance test).
source "$(dirname "$0")/lib.bash"
# The client closes first, so it ends in TIME-WAIT, unless a late duplicate of one of its
# segments reaches the server after the server closed: the server answers with a RST whose
# sequence is exact, and that RST ends the TIME-WAIT (RFC 1337 hazard 1; Linux does the same
# with tcp_rfc1337 = 0). Seed 1 shows that case; both are clean ends.
for seed in 1 2 3; do
  out=$("$USTCP" transfer --bytes 64M --delay 5ms --loss 5% --reorder 5% --duplicate 1% --seed "$seed" --json)
  rc=$?
  if [ $rc -eq 0 ] && grep -q '"digest_match":true' <<<"$out" && grep -q '"bytes_received":67108864' <<<"$out" \
     && grep -qE '"client_state":"(TIME-WAIT|CLOSED)"' <<<"$out" && grep -q '"server_state":"CLOSED"' <<<"$out"; then
    pass "seed $seed: $out"
  else
    fail "seed $seed (exit $rc): $out"
  fi
done
# Corruption: the checksum must catch every flipped bit; the data still arrives intact.
expect_rc 0 "1M with 2% corruption" "$USTCP" transfer --bytes 1M --corrupt 2% --seed 4
# Same seed, same run: deterministic.
a=$("$USTCP" transfer --bytes 2M --loss 3% --seed 9 --json); b=$("$USTCP" transfer --bytes 2M --loss 3% --seed 9 --json)
[ "$a" = "$b" ] && pass "same seed gives the same result" || fail "same seed differs: $a / $b"
finish
