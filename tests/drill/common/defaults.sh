#!/bin/sh
# The settings packetdrill's harness makes before each script (gtests/net/common/defaults.sh
# upstream, in POSIX sh): scripts call it as `../common/defaults.sh`, and
# scripts/drill-on-linux.sh runs it first in each script's network namespace. `ustcp drill`
# applies its sysctls to the stack (those ustcp has; tools/drill/commands.cpp, kDefaults),
# so the scripts in tests/drill/ run unchanged under real packetdrill on Linux, too.

# Flush old cached data (fastopen cookies).
ip tcp_metrics flush all >/dev/null 2>&1

# TCP min, default, and max receive and send buffer sizes.
sysctl -q net.ipv4.tcp_rmem="4096 540000 15728640"
sysctl -q net.ipv4.tcp_wmem="4096 262144 4194304"

sysctl -q net.ipv4.tcp_timestamps=1
sysctl -q net.ipv4.tcp_syn_retries=5
sysctl -q net.ipv4.tcp_synack_retries=5
sysctl -q net.ipv4.tcp_frto=2
sysctl -q net.ipv4.tcp_sack=1
sysctl -q net.ipv4.tcp_dsack=1
sysctl -q net.ipv4.tcp_fack=0 >/dev/null 2>&1
sysctl -q net.ipv4.tcp_reordering=3
# Fails in a network namespace when the host's net.ipv4.tcp_allowed_congestion_control
# lacks cubic: the namespace keeps the host's default then (drill-on-linux.sh says which).
sysctl -q net.ipv4.tcp_congestion_control=cubic
sysctl -q net.ipv4.tcp_slow_start_after_idle=0
sysctl -q net.ipv4.tcp_early_retrans=4 net.ipv4.tcp_recovery=1
sysctl -q net.ipv4.tcp_tso_win_divisor=3
sysctl -q net.ipv4.tcp_ecn=0
sysctl -q net.ipv4.tcp_ecn_option=2
sysctl -q net.ipv4.tcp_pacing_ss_ratio=200
sysctl -q net.ipv4.tcp_pacing_ca_ratio=120
sysctl -q net.ipv4.tcp_notsent_lowat=4294967295 >/dev/null 2>&1
sysctl -q net.ipv4.tcp_fastopen=0x70403
sysctl -q net.ipv4.tcp_fastopen_key=a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4
sysctl -q net.ipv4.tcp_syncookies=1

# Many tests fail with timing errors if the default qdisc is fq and paces their flows.
tc qdisc add dev tun0 root pfifo >/dev/null 2>&1
exit 0
