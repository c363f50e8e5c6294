# `ustcp --version` and `ustcp version` print "ustcp X.Y.Z", X.Y.Z the project VERSION in
# CMakeLists.txt (the one ustcpConfigVersion.cmake and ustcp.pc carry), and exit 0.
source "$(dirname "$0")/lib.bash"
want=$(sed -n 's/^project(ustcp VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
[ -n "$want" ] || { fail "no VERSION in CMakeLists.txt's project()"; finish; }
for args in --version version; do
  out=$("$USTCP" $args 2>&1)
  rc=$?
  [ "$rc" -eq 0 ] && [ "$out" = "ustcp $want" ] && pass "ustcp $args -> $out" ||
    fail "ustcp $args: exit $rc, '$out', want 'ustcp $want'"
done
"$USTCP" --help | grep -Eq '^ +--version +print ' && pass "--help lists --version" ||
  fail "--help does not list --version"
finish
