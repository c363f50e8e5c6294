# Shared by tests/cli/lab_*.sh: runs one `ustcp lab` scenario in a temp dir and checks what a
# user gets: exit status 0 (every check of the scenario held: the scenario asserts its own
# outcome and exits 1 otherwise), an "ok" line per check and no FAIL, each SVG well-formed
# XML with the parts the report promises, each pcap readable (tshark when installed, else
# the pcap header and record count), and lines of the report given as regular expressions
# (or "svg:GLOB:REGEX", a regular expression in the SVG files matching GLOB).
source "$(dirname "$0")/lib.bash"
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed (it reads the SVG and pcap files)"; exit 77; }
LAB_DIR=$(mktemp -d)
trap 'rm -rf "$LAB_DIR"' EXIT

# lab_scenario NAME EXPECTED_FILES REGEX... : EXPECTED_FILES is the number of SVG (= pcap)
# files, one per variant.
lab_scenario() {
  local name=$1 files=$2 out="$LAB_DIR/$1.out" rc f n
  shift 2
  "$USTCP" lab "$name" --out "$LAB_DIR" >"$out" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && ! grep -q '^  FAIL' "$out"; then
    pass "ustcp lab $name: exit 0, $(grep -c '^  ok' "$out") checks held"
  else
    fail "ustcp lab $name: exit $rc"; grep -E '^  (FAIL|ok)|^ustcp' "$out" | sed 's/^/     /'
  fi
  n=$(ls "$LAB_DIR"/"$name"*.svg 2>/dev/null | wc -l)
  [ "$n" -eq "$files" ] && pass "$n SVG file(s)" || fail "$n SVG files, want $files"
  for f in "$LAB_DIR"/"$name"*.svg; do
    if python3 - "$f" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
for part in ("Sockets in each state over time", "Sequence diagram"):
    assert part in text, part
lines = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("data-state")]
assert lines and all(p.get("d", "").startswith("M") for p in lines), "no timeline"
assert int(root.get("height")) < 20000, "too tall: " + root.get("height")
# Relative numbers, as tcpdump's, count from each connection's own SYN (wraparound alone
# shows them as sent): no arrow label of another incident carries a number in the billions.
import re, os
if not os.path.basename(sys.argv[1]).startswith("wraparound"):
    for t in root.iter("{http://www.w3.org/2000/svg}text"):
        m = re.match(r"\d+ > \d+ \[[SFPR.]+\] seq (\d+)(?: ack (\d+))?", t.text or "")
        if m:
            assert all(int(x) < 10**7 for x in m.groups() if x), "not relative: " + t.text
# SACK blocks count in their ack's numbers: none is empty, and each but the first (a D-SACK,
# RFC 2883, may lie below the ack) lies past the ack (modulo 2^32: wraparound is as sent).
past = lambda a, b: 0 < (a - b) % 2**32 < 2**31
for t in root.iter("{http://www.w3.org/2000/svg}text"):
    m = re.search(r" ack (\d+) sack ([\d,-]+)", t.text or "")
    for i, block in enumerate(m.group(2).split(",") if m else []):
        left, right = (int(x) for x in block.split("-"))
        assert past(right, left) and (i == 0 or past(left, int(m.group(1)))), "SACK: " + t.text
# Retransmissions as Wireshark marks them: a segment with data, SYN or FIN that starts below
# the highest sequence its direction sent in a row before is labelled "(retransmission)"
# (its original may be left out of the rows: a mark without one shown is allowed). A SYN
# not marked starts a new connection on its ports; past the rows a long diagram leaves out
# ("... N more rows ..."), a port may be a new connection whose SYN is not shown.
seen, marked = {}, 0
for t in root.iter("{http://www.w3.org/2000/svg}text"):
    if re.match(r"\.\.\. [\d,]+ more rows", t.text or ""):
        seen.clear()
    m = re.match(r"(\d+) > (\d+) \[([SFPR.]+)\] seq (\d+)(?: ack \d+)?(?: sack [\d,-]+)?(?: len (\d+))?(.*)$", t.text or "")
    if not m:
        continue
    key, flags, seq, rest = (m.group(1), m.group(2)), m.group(3), int(m.group(4)), m.group(6)
    space = int(m.group(5) or 0) + ("S" in flags) + ("F" in flags)
    is_marked = rest.startswith(" (retransmission")
    marked += is_marked
    if "S" in flags and not is_marked:
        seen.pop(key, None)
    assert space or not is_marked, "marked, but takes no sequence space: " + t.text
    if space and key in seen:
        assert is_marked or not past(seen[key], seq), "a retransmission not marked: " + t.text
    if space and (key not in seen or past(seq + space, seen[key])):
        seen[key] = (seq + space) % 2**32
# Each marked label has its dashed line in the retransmission style, and the legend shows
# that style with the word.
svg = "{http://www.w3.org/2000/svg}"
style = lambda l: (l.get("stroke"), l.get("stroke-dasharray"))
rtx = [l for l in root.iter(svg + "line") if l.get("data-kind") == "retransmission"]
assert len(rtx) == marked, f"{len(rtx)} retransmission lines, {marked} labels"
legend = [l for l in root.iter(svg + "line") if l.get("data-legend")]
texts = [t.text for t in root.iter(svg + "text")]
assert "retransmission" in texts, "no legend entry for retransmissions"
rtx_style = style(legend[[t for t in texts if t in (
    "segment (a colour per connection)", "retransmission", "lost", "dropped by the receiver", "RST")].index("retransmission")])
assert rtx_style[1], "the legend's retransmission is not dashed"
assert all(l.get("stroke-dasharray") == rtx_style[1] for l in rtx), "a retransmission drawn otherwise"
print(f"{marked} retransmission(s) marked", file=sys.stderr)
PY
    then pass "$(basename "$f"): well-formed, timeline and sequence diagram"
    else fail "$(basename "$f") is not what it should be"; fi
  done
  for f in "$LAB_DIR"/"$name"*.pcap; do
    # The records, counted from the file; tshark (when installed) dissects the first 3,000
    # (the whole of a big capture costs more than the scenario).
    n=$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
if d[:4] != bytes.fromhex("d4c3b2a1"): print(-1); sys.exit()
off, n = 24, 0
while off + 16 <= len(d):
    off += 16 + struct.unpack_from("<I", d, off + 8)[0]; n += 1
print(n if off == len(d) else -1)' "$f")
    if [ "$n" -gt 0 ] && { ! command -v tshark >/dev/null 2>&1 ||
         [ -z "$(tshark -r "$f" -c 3000 -Y '_ws.malformed' 2>/dev/null)" ]; }; then
      pass "$(basename "$f"): a pcap of $n packets, none malformed"
    else
      fail "$(basename "$f"): not a readable pcap ($n records)"
    fi
  done
  for re in "$@"; do
    if [[ $re == svg:* ]]; then
      # svg:FILE-GLOB:REGEX: a text of the sequence diagram or the notes in that SVG.
      local glob=${re#svg:}; glob=${glob%%:*}; local svg_re=${re#svg:*:}
      # shellcheck disable=SC2086
      grep -Eq -- "$svg_re" "$LAB_DIR"/$glob && pass "SVG $glob: /$svg_re/" ||
        fail "SVG $glob lacks /$svg_re/"
      continue
    fi
    grep -Eq -- "$re" "$out" && pass "report: /$re/" || { fail "report lacks /$re/"; sed 's/^/     /' "$out" | head -60; }
  done
}
