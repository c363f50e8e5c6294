# `ustcp demo` (what `make demo` runs) shows the handshake, the exchange, the four-way close
# and TIME-WAIT on the side that closed first, then its expiry.
source "$(dirname "$0")/lib.bash"
out=$("$USTCP" demo); rc=$?
[ $rc -eq 0 ] && pass "exit 0" || fail "exit $rc"
for want in "client > server S " "server > client S. " "HTTP/1.1 200 OK" "CLOSED -> SYN-SENT" \
            "SYN-SENT -> ESTAB" "SYN-RECV -> ESTAB" "ESTAB -> FIN-WAIT-1" "FIN-WAIT-1 -> FIN-WAIT-2" "FIN-WAIT-2 -> TIME-WAIT" "ESTAB -> CLOSE-WAIT" "CLOSE-WAIT -> LAST-ACK" "LAST-ACK -> CLOSED" \
            "TIME-WAIT -> CLOSED" "mss 1460,sackOK,TS val"; do
  grep -qF -- "$want" <<<"$out" && pass "shows '$want'" || fail "does not show '$want'"
done
grep -qE '^TIME-WAIT +0 +0 +10\.0\.0\.2:80 ' <<<"$out" && pass "ss table lists TIME-WAIT" || fail "no TIME-WAIT row"
finish
