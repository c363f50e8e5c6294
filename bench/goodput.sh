#!/usr/bin/env bash
# Goodput of `ustcp transfer` on simulated lossy and long paths, beside what the classic
# models predict for the same path (the table in bench/RESULTS.md).
#
#   bench/goodput.sh build/ustcp [SEEDS]        (SEEDS: how many seeds per lossy path, 3)
#
# Each row: one path (one-way delay, so RTT = 2 x delay; loss per datagram in each direction;
# 100 Mbit/s unless said), the median goodput over the seeds, its range, the retransmissions,
# and two models of the long-run rate of a loss-limited flow (MSS 1448 bytes):
#   Mathis (Reno):  MSS / RTT * sqrt(3/2) / sqrt(p)
#   CUBIC (RFC 9438 5.1, Linux's C = 0.4, beta = 0.7): the larger of the Reno-friendly window
#                   and 1.054 * (RTT^3 / p^3)^(1/4) segments, per RTT
# both capped by the link. Virtual time: the figures do not depend on this machine.
set -euo pipefail
ustcp=${1:?usage: $0 PATH_TO_USTCP [SEEDS]}
seeds=${2:-3}

row() {  # label bytes delay loss rate_mbit
  local label=$1 bytes=$2 delay=$3 loss=$4 rate=$5 n=$seeds
  [ "$loss" = 0 ] && n=1
  local gps=() retr=() fails=0
  for seed in $(seq 1 "$n"); do
    local out
    if ! out=$("$ustcp" transfer --bytes "$bytes" --delay "$delay" --loss "$loss%" \
                 --bandwidth "$rate" --seed "$seed" --json 2>&1); then
      fails=$((fails + 1))
    fi
    local bytes_rx secs
    bytes_rx=$(sed -n 's/.*"bytes_received":\([0-9]*\).*/\1/p' <<<"$out")
    secs=$(sed -n 's/.*"virtual_seconds":\([0-9.e+-]*\).*/\1/p' <<<"$out")
    gps+=("$(awk -v b="${bytes_rx:-0}" -v s="${secs:-0}" 'BEGIN { print s > 0 ? b * 8 / s / 1e6 : 0 }')")
    retr+=("$(sed -n 's/.*"retransmits":\([0-9]*\).*/\1/p' <<<"$out")")
  done
  awk -v label="$label" -v delay="$delay" -v loss="$loss" -v rate="$rate" -v fails="$fails" \
      -v gps="${gps[*]}" -v retr="${retr[*]}" 'BEGIN {
    n = split(gps, g, " "); split(retr, r, " ");
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (g[j] < g[i]) { t = g[i]; g[i] = g[j]; g[j] = t }
    med = g[int((n + 1) / 2)]; rsum = 0; for (i = 1; i <= n; i++) rsum += r[i];
    d = delay; sub(/ms$/, "", d); rtt = 2 * d / 1000; p = loss / 100; mss = 1448 * 8;
    if (p > 0) {
      mathis = mss / rtt * sqrt(1.5) / sqrt(p) / 1e6;
      w = 1.054 * (rtt ^ 3 / p ^ 3) ^ 0.25; wr = sqrt(1.5 / p); if (wr > w) w = wr;
      cubic = w * mss / rtt / 1e6;
      if (rate > 0 && mathis > rate) mathis = rate;
      if (rate > 0 && cubic > rate) cubic = rate;
      models = sprintf("%.1f | %.1f", mathis, cubic);
    } else {
      models = "– | –";
    }
    range = n > 1 ? sprintf("%.1f–%.1f", g[1], g[n]) : "";
    printf "| %s | %.1f | %s | %d | %s |%s\n", label, med, range, rsum / n, models,
           fails ? sprintf(" %d of %d runs FAILED", fails, n) : "";
  }'
}

echo "| path | ustcp Mbit/s (median) | range | retransmissions (mean) | Mathis | CUBIC model |"
echo "|---|---|---|---|---|---|"
row "16 MiB, 100 Mbit/s, RTT 40 ms, 0%" 16M 20ms 0 100
row "16 MiB, 100 Mbit/s, RTT 40 ms, 1%" 16M 20ms 1 100
row "16 MiB, unlimited, RTT 10 ms, 2%" 16M 5ms 2 0
for delay in 5ms 20ms 100ms; do
  for loss in 0.1 1 2; do
    row "16 MiB, 100 Mbit/s, RTT $((2 * ${delay%ms})) ms, $loss%" 16M "$delay" "$loss" 100
  done
done
