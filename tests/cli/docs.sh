# The man page and the bash completion are generated from `ustcp --help` by
# tools/ustcp/gen_docs.py and checked in (tools/ustcp/ustcp.1, ustcp.bash-completion): they
# must be what the generator makes of this binary now (else: run
# `tools/ustcp/gen_docs.py build/ustcp` and commit), the man page must format without a
# warning, and the completion must complete subcommands, options and incident names.
source "$(dirname "$0")/lib.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$HERE/../../tools/ustcp
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
python3 "$SRC/gen_docs.py" "$USTCP" "$T" || fail "gen_docs.py failed"
for f in ustcp.1 ustcp.bash-completion; do
  if cmp -s "$T/$f" "$SRC/$f"; then pass "$f is what gen_docs.py makes of this binary's --help"
  else fail "$f is stale: run tools/ustcp/gen_docs.py build/ustcp (diff checked-in generated):"
       diff "$SRC/$f" "$T/$f" | head -20 | sed 's/^/     /'; fi
done
grep -q '^\\fB\\-\\-accept\\-delay\\fR' "$SRC/ustcp.1" && grep -q '^\.SS lab$' "$SRC/ustcp.1" &&
  pass "the man page has every subcommand's options (serve --accept-delay, lab)" || fail "man page content"
sed -n '/^\.SH OPTIONS$/,/^\.SH SUBCOMMANDS$/p' "$SRC/ustcp.1" | grep -q '^\\fB\\-\\-version\\fR' &&
  pass "the man page's OPTIONS has ustcp's own --version" || fail "man page: no --version under OPTIONS"
if command -v groff >/dev/null; then
  w=$(groff -man -Tutf8 -ww "$SRC/ustcp.1" 2>&1 >/dev/null)
  [ -z "$w" ] && pass "groff -man -ww: no warning" || fail "groff warnings: $w"
fi
bash -n "$SRC/ustcp.bash-completion" && pass "the completion parses (bash -n)" || fail "bash -n"
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ustcp; echo "${COMPREPLY[*]}"' \
    _ "$SRC/ustcp.bash-completion" "$@"
}
[ "$(complete_words ustcp l)" = "lab" ] && pass "ustcp l<TAB> -> lab" || fail "ustcp l<TAB>: $(complete_words ustcp l)"
[ "$(complete_words ustcp lab syn)" = "syn-flood syn-retries" ] && pass "ustcp lab syn<TAB> -> the incidents" ||
  fail "ustcp lab syn<TAB>: $(complete_words ustcp lab syn)"
[ "$(complete_words ustcp --v)" = "--version" ] && pass "ustcp --v<TAB> -> --version" || fail "ustcp --v<TAB>: $(complete_words ustcp --v)"
[ "$(complete_words ustcp ss --js)" = "--json" ] && pass "ustcp ss --js<TAB> -> --json" || fail "ss --js<TAB>"
finish
