#!/usr/bin/env bash
# The core (base/ wire/ tcp/ stack/ api/) reads no randomness of its own: every secret is
# an input (tcp::Secrets). Checked on the built library: no object outside link/ refers to
# getrandom, getentropy, rand()/random() and friends, or std::random_device. As a control,
# link/random_secrets.cpp must be seen calling getrandom (so the check can fail).
# Usage: core_randomness.sh LIBUSTCP.a SOURCE_DIR
set -euo pipefail
lib=$1 src=$2
command -v nm >/dev/null || { echo "SKIP: nm (binutils) not installed"; exit 77; }

pattern='( |::)(getrandom|getentropy|rand|random|srand|srandom|rand_r|drand48|lrand48|mrand48|arc4random|arc4random_buf)$|std::random_device'
# Objects of link/ (the drivers) are allowed to draw randomness.
declare -A driver
for f in "$src"/src/ustcp/link/*.cpp; do driver["$(basename "$f").o"]=1; done

bad=0 control=0
while IFS= read -r line; do
  obj=${line#*.a:}
  obj=${obj%%:*}  # "build/libustcp.a:isn.cpp.o: U getrandom" -> isn.cpp.o
  if [[ -n ${driver[$obj]:-} ]]; then
    [[ $obj == random_secrets.cpp.o && $line == *getrandom* ]] && control=1
    continue
  fi
  echo "FAIL: the core reads randomness: $line"
  bad=1
done < <(nm -A -u -C "$lib" 2>/dev/null | grep -E "$pattern" || true)

if [ "$control" -ne 1 ]; then
  echo "FAIL: control: link/random_secrets.cpp.o does not call getrandom (is the check broken?)"
  exit 1
fi
[ "$bad" -eq 0 ] && echo "ok: no randomness read outside link/ in $(basename "$lib")"
exit "$bad"
