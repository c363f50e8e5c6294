# ustcp lab syn-retries: Linux's SYN schedules, linear (6.x) and classic, then ETIMEDOUT.
source "$(dirname "$0")/lab.bash"
lab_scenario syn-retries 2 'SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s; connect\(\) failed with ETIMEDOUT at 131' \
  'SYNs at 0, 1, 3, 7, 15, 31, 63 s; connect\(\) failed with ETIMEDOUT at 127' \
  'svg:syn-retries-tcp_syn_linear_timeouts=0.svg:>black hole 10\.0\.0\.2<'
finish
