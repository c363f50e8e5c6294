# `ustcp relay` with wrong options: a message naming the option and exit status 2, before
# any namespace or device is touched (so these run without root).
source "$(dirname "$0")/lib.bash"
ok_sides=(--a relay-test-none-a:10.0.0.1/24 --b relay-test-none-b:10.0.0.2/24)
# expect_msg WHAT WANTED_TEXT ARGS...: exit 2 and a message containing WANTED_TEXT.
expect_msg() {
  local what=$1 want=$2 msg rc; shift 2
  msg=$("$USTCP" relay "$@" 2>&1); rc=$?
  if [ $rc -eq 2 ] && grep -qF -- "$want" <<<"$msg"; then
    pass "$what: exit 2, '$msg'"
  else
    fail "$what: exit $rc, want 2 and a message with '$want':"; echo "$msg" | sed 's/^/     /'
  fi
}
expect_msg "no sides" "--a is required"
expect_msg "side without a namespace" "for --a" --a 10.0.0.1/24 --b x:10.0.0.2/24
expect_msg "side without a prefix" "for --b" --a x:10.0.0.1/24 --b y:10.0.0.2
expect_msg "prefix 31" "for --a" --a x:10.0.0.1/31 --b y:10.0.0.2/24
expect_msg "bad address" "for --b" --a x:10.0.0.1/24 --b y:10.0.0.256/24
expect_msg "two subnets" "one subnet" --a x:10.0.0.1/24 --b y:10.0.1.2/24
expect_msg "one address twice" "two different addresses" --a x:10.0.0.1/24 --b y:10.0.0.1/24
expect_msg "one namespace twice" "two namespaces" --a x:10.0.0.1/24 --b x:10.0.0.2/24
expect_msg "bad loss" "--loss" "${ok_sides[@]}" --loss 150%
expect_msg "bad reorder" "--reorder" "${ok_sides[@]}" --reorder often
expect_msg "bad delay" "--delay" "${ok_sides[@]}" --delay 5parsecs
expect_msg "bad queue" "--queue" "${ok_sides[@]}" --bandwidth 10 --queue 12X
expect_msg "queue without bandwidth" "--queue needs --bandwidth" "${ok_sides[@]}" --queue 64K
expect_msg "negative bandwidth" "--bandwidth" "${ok_sides[@]}" --bandwidth -5
expect_msg "rt priority 100" "--rt-priority" "${ok_sides[@]}" --rt-priority 100
# Valid options, a namespace that does not exist: named, with how to create it.
expect_msg "missing namespace" "ip netns add" "${ok_sides[@]}"
finish
