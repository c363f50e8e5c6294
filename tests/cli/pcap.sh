# Every pcap ustcp writes opens in tshark without malformed-packet or checksum warnings.
source "$(dirname "$0")/lib.bash"
command -v tshark >/dev/null || { echo "SKIP: tshark is not installed (apt-get install tshark)"; exit 77; }
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
expect_rc 0 "demo --pcap" "$USTCP" demo --pcap "$dir/demo.pcap"
expect_rc 0 "transfer --pcap (with loss)" "$USTCP" transfer --bytes 256K --loss 2% --reorder 2% --pcap "$dir/tr.pcap"
for f in "$dir/demo.pcap" "$dir/tr.pcap"; do
  out=$(tshark -r "$f" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE 2>&1); rc=$?
  n=$(echo "$out" | wc -l)
  if [ $rc -eq 0 ] && [ "$n" -gt 5 ] && ! grep -qiE 'malformed|bad checksum|incorrect|\[checksum.*bad' <<<"$out"; then
    pass "$(basename "$f"): $n packets, no warnings"
  else
    fail "$(basename "$f") (exit $rc):"; echo "$out" | grep -iE 'malformed|bad|incorrect' | head -5
  fi
done
# tcpdump's -s: records cut to 64 bytes (IPv4 and TCP headers), the original length kept.
expect_rc 0 "demo --pcap -s 64" "$USTCP" demo --pcap "$dir/snap.pcap" -s 64
lens=$(tshark -r "$dir/snap.pcap" -T fields -e frame.cap_len -e frame.len 2>/dev/null)
if [ -n "$lens" ] && awk '$1 > 64 || $1 > $2 { bad = 1 } $2 > 64 { cut = 1 } END { exit bad || !cut }' <<<"$lens"; then
  pass "-s 64: every record at most 64 bytes, the longer ones with their original length"
else
  fail "-s 64: captured/original lengths: $(tr '\n' ' ' <<<"$lens")"
fi
# -C and -W: a ring of 3 files of about 64 KiB, each a whole pcap, the newest the last.
expect_rc 0 "transfer --pcap -C 64K -W 3" "$USTCP" transfer --bytes 1M --pcap "$dir/ring.pcap" -C 64K -W 3
files=$(ls "$dir"/ring.pcap* 2>/dev/null | xargs -n1 basename | tr '\n' ' ')
[ "$files" = "ring.pcap0 ring.pcap1 ring.pcap2 " ] && pass "-W 3: $files" || fail "-W 3 files: '$files'"
for f in "$dir"/ring.pcap?; do
  n=$(tshark -r "$f" 2>/dev/null | wc -l); size=$(stat -c %s "$f")
  [ "$n" -gt 0 ] && [ "$size" -lt $((64 * 1024 + 1600)) ] && pass "$(basename "$f"): $n packets, $size bytes" ||
    fail "$(basename "$f"): $n packets, $size bytes"
done
finish
