# `ustcp transfer --trace` prints a line per segment as `ustcp demo` does. Over a lossy link
# the receiver's ACKs carry SACK blocks; like the ack beside them (tcpdump's relative numbers,
# both from the other side's ISN), they count from 1 for the first byte: every block lies
# within the bytes sent, and above the ack unless it is a D-SACK (RFC 2883), wholly below it.
source "$(dirname "$0")/lib.bash"
bytes=200000
out=$("$USTCP" transfer --bytes $bytes --loss 3% --seed 5 --trace); rc=$?
[ $rc -eq 0 ] && grep -q "^digests match    yes" <<<"$out" && pass "transfer --trace: exit 0, digests match" ||
  fail "transfer --trace: exit $rc"
grep -qE '^ +0\.000000  client > server S +seq 0 +ack - ' <<<"$out" && pass "the SYN, seq 0" || fail "no SYN line"
grep -qE '\* client 10\.0\.0\.1:[0-9]+ 10\.0\.0\.2:5001: SYN-SENT -> ESTAB$' <<<"$out" && pass "state changes" || fail "no state change line"
sacks=$(grep -E '^ +[0-9.]+  server > client ' <<<"$out" | grep -F ',sack ')
n=$(grep -c . <<<"$sacks")
[ "$n" -gt 0 ] && pass "$n ACKs with SACK blocks" || fail "no SACK block in the trace of a 3% loss transfer"
bad=$(awk -v max=$((bytes + 1)) '{
  ack = ""; for (i = 1; i <= NF; i++) if ($i == "ack") ack = $(i + 1)
  s = $0; sub(/.*,sack /, "", s); sub(/[,>].*/, "", s)
  nb = split(s, blocks, " ")
  for (b = 1; b <= nb; b++) {
    split(blocks[b], lr, ":"); l = lr[1] + 0; r = lr[2] + 0
    if (!(l >= 1 && r > l && r <= max) || (l < ack && r > ack) || (b > 1 && l < ack)) { print; break }
  }
}' <<<"$sacks")
[ -n "$sacks" ] && [ -z "$bad" ] && pass "SACK blocks relative, as the ack: $(head -1 <<<"$sacks" | sed 's/.*,sack/sack/; s/>$//')" ||
  fail "SACK blocks not in the ack's relative numbers: $(head -3 <<<"$bad")"
expect_rc 2 "--trace with --json" "$USTCP" transfer --trace --json
finish
