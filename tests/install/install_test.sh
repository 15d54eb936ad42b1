#!/usr/bin/env bash
# `cmake --install` into a DESTDIR: every file in its place, the man page and completions made
# from the binary's own help, and the installed binary running the quickstart from the
# installed configs (found relative to itself, not in the source tree).
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

DESTDIR="$work/root" cmake --install "$build" --prefix /usr >"$work/install.log" ||
    fail "cmake --install failed: $(cat "$work/install.log")"
root=$work/root/usr
bin=$root/bin/mlosbench
[ -x "$bin" ] || fail "no executable $bin"
share=$root/share/mlosbench/config
for f in examples/quickstart/cli.jsonc examples/quickstart/compress.sh \
         services/local/local_exec_service.jsonc; do
    [ -f "$share/$f" ] || fail "missing $share/$f"
done
# Every schema of the source tree, byte for byte.
(cd "$source/config/schemas" && find . -type f) | sort >"$work/schemas.want"
(cd "$share/schemas" && find . -type f) | sort >"$work/schemas.got"
diff -u "$work/schemas.want" "$work/schemas.got" || fail "installed schemas differ in name"
[ "$(wc -l <"$work/schemas.want")" -gt 5 ] || fail "too few schemas in $source/config/schemas"
diff -r "$source/config/schemas" "$share/schemas" >/dev/null || fail "installed schemas differ"
[ -f "$root/share/doc/mlosbench/README.md" ] || fail "no README.md in share/doc/mlosbench"

# The man page: roff, and every flag of every command's --help in it.
man=$root/share/man/man1/mlosbench.1
[ -f "$man" ] || fail "no man page $man"
head -3 "$man" | grep -q '^\.TH MLOSBENCH 1 ' || fail "$man has no .TH line"
commands=$("$bin" --help | sed -n '/^Commands/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ "$(echo "$commands" | wc -w)" -ge 10 ] || fail "too few commands in --help: $commands"
for cmd in "" $commands; do
    if [ -n "$cmd" ]; then
        grep -qF ".SS \"mlosbench $cmd\"" "$man" || fail "$man has no section for $cmd"
    fi
    # (the option lines' names: "  -o,--output TEXT ...")
    for flag in $("$bin" $cmd --help | grep -oE -- '^  -[-A-Za-z_,]+' | grep -oE -- '--[A-Za-z][-A-Za-z_]*' | sort -u); do
        grep -qF -- "${flag//-/\\-}" "$man" || fail "$man lacks $flag of '$cmd --help'"
    done
done
# It reads as a man page where man is installed.
if command -v man >/dev/null; then
    MANWIDTH=100 man -l "$man" 2>/dev/null | grep -q 'mlosbench show' || fail "man -l $man"
fi

# bash completion: commands, then each command's own flags.
completion=$root/share/bash-completion/completions/mlosbench
[ -f "$completion" ] || fail "no bash completion $completion"
complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mlosbench
             printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@"
}
[ "$(cd "$work" && complete_words mlosbench sh)" = show ] || fail "bash: 'mlosbench sh' did not complete to show"
got=$(complete_words mlosbench show --b)
[ "$got" = --best ] || fail "bash: 'mlosbench show --b' gave '$got'"
got=$(complete_words mlosbench plot --me)
[ "$got" = --metric ] || fail "bash: 'mlosbench plot --me' gave '$got'"
got=$(complete_words mlosbench --num-t)
[ "$got" = --num-trial-runners ] || fail "bash: 'mlosbench --num-t' gave '$got'"
# zsh completion: a #compdef file naming every command.
zsh_completion=$root/share/zsh/vendor-completions/_mlosbench
[ "$(head -1 "$zsh_completion")" = "#compdef mlosbench" ] || fail "$zsh_completion: no #compdef"
for cmd in $commands; do
    grep -q "^        '$cmd:" "$zsh_completion" || fail "$zsh_completion lacks $cmd"
done
if command -v zsh >/dev/null; then
    zsh -n "$zsh_completion" || fail "zsh -n $zsh_completion"
fi

# The installed binary finds the installed configs: a relative --config is looked up in the
# built-in config dir last, which must be the installed one.
mkdir "$work/run"
cd "$work/run"
"$bin" validate --config examples/quickstart/cli.jsonc >"$work/validate.out" 2>&1 ||
    fail "validate from the installed configs: $(cat "$work/validate.out")"
grep -qF "$share/examples/quickstart/environment.jsonc" "$work/validate.out" ||
    fail "validate did not load the installed quickstart: $(cat "$work/validate.out")"
if grep -qF "$source/config" "$work/validate.out"; then
    fail "the installed binary read the source tree's configs: $(cat "$work/validate.out")"
fi
"$bin" --config examples/quickstart/cli.jsonc --max_suggestions 2 --storage q.db >"$work/run.out" 2>&1 ||
    fail "quickstart from the installed configs: $(cat "$work/run.out")"
grep -q '^trials      2 (SUCCEEDED 2)' "$work/run.out" || fail "quickstart: $(cat "$work/run.out")"
echo "install_test: ok"
