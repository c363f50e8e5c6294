# Every pcap ustcp writes opens in tshark without malformed-packet or checksum warnings.
source "$(dirname "$0")/lib.bash"
command -v tshark >/dev/null || { echo "SKIP: tshark is not installed (apt-get install tshark)"; exit 77; }
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
expect_rc 0 "demo --pcap" "$USTCP" demo --pcap "$dir/demo.pcap"
expect_rc 0 "transfer --pcap (with loss)" "$USTCP" transfer --bytes 256K --loss 2% --reorder 2% --pcap "$dir/tr.pcap"
for f in "$dir/demo.pcap" "$dir/tr.pcap"; do
  out=$(tshark -r "$f" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE 2>&1); rc=$?
  n=$(echo "$out" | wc -l)
  if [ $rc -eq 0 ] && [ "$n" -gt 5 ] && ! echo "$out" | grep -qiE 'malformed|bad checksum|incorrect|\[checksum.*bad'; then
    pass "$(basename "$f"): $n packets, no warnings"
  else
    fail "$(basename "$f") (exit $rc):"; echo "$out" | grep -iE 'malformed|bad|incorrect' | head -5
  fi
done
finish
