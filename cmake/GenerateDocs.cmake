# Script mode (cmake -P): writes the man page and the shell completions from the help text of
# the built binary, so that they say what `--help` says and never drift from it.
#   cmake -DMLOSBENCH=path/to/mlosbench -DVERSION=x.y.z -DOUT_DIR=dir -P GenerateDocs.cmake
# Writes OUT_DIR/mlosbench.1, OUT_DIR/mlosbench.bash and OUT_DIR/_mlosbench.

function(help_of out)
    execute_process(COMMAND "${MLOSBENCH}" ${ARGN} --help
        OUTPUT_VARIABLE text ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${MLOSBENCH} ${ARGN} --help exited with ${rc}: ${err}")
    endif()
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Text as roff shows it in a no-fill block: backslashes and dashes escaped, a leading dot or
# quote made plain.
function(roff_text out text)
    string(REPLACE "\\" "\\e" text "${text}")
    string(REPLACE "-" "\\-" text "${text}")
    string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The long flags a help text lists (each option line's names: "  -o,--output TEXT ..."), each
# once, in order.
function(flags_of out text)
    string(REGEX MATCHALL "\n  -[-A-Za-z_,]+" names "${text}")
    string(REGEX MATCHALL "--[A-Za-z][-A-Za-z_]*" found "${names}")
    list(REMOVE_DUPLICATES found)
    list(JOIN found " " joined)
    set(${out} "${joined}" PARENT_SCOPE)
endfunction()

help_of(top)
# The commands, as the top-level help lists them: "  NAME   what it does".
string(REGEX MATCH "Commands[^\n]*\n(  [a-z][-a-z]+ +[^\n]*\n)+" block "${top}")
string(REPLACE ";" "@SEMICOLON@" block "${block}") # not a list separator here
string(REGEX MATCHALL "  [a-z][-a-z]+ +[^\n]*" lines "${block}")
if(NOT lines)
    message(FATAL_ERROR "no commands found in the output of ${MLOSBENCH} --help")
endif()
set(commands "")
foreach(line IN LISTS lines)
    string(REGEX REPLACE "^  ([a-z][-a-z]+) +(.*)$" "\\1" name "${line}")
    string(REGEX REPLACE "^  ([a-z][-a-z]+) +(.*)$" "\\2" what "${line}")
    string(REPLACE "@SEMICOLON@" ";" what "${what}")
    list(APPEND commands "${name}")
    set(what_${name} "${what}")
endforeach()

# The man page: the top-level help, then each command's, as they print.
roff_text(top_roff "${top}")
set(man ".\\\" Generated from the output of 'mlosbench --help' and 'mlosbench COMMAND --help'.
.TH MLOSBENCH 1 \"\" \"mlosbench ${VERSION}\" \"User Commands\"
.SH NAME
mlosbench \\- benchmark orchestrator and autotuner
.SH SYNOPSIS
.B mlosbench
[\\fICOMMAND\\fR] [\\fIOPTIONS\\fR] [\\fB\\-\\-\\fIkey value\\fR ...]
.SH DESCRIPTION
mlosbench reads JSONC configs (its own and those of mlos_bench), runs benchmark trials on this
machine or on remote hosts, tunes parameters between trials and records everything in SQLite
or PostgreSQL.
.PP
.nf
${top_roff}.fi
.SH COMMANDS
")
foreach(name IN LISTS commands)
    help_of(text ${name})
    roff_text(text_roff "${text}")
    roff_text(what_roff "${what_${name}}")
    string(APPEND man ".SS \"mlosbench ${name}\"\n${what_roff}\n.PP\n.nf\n${text_roff}.fi\n")
    flags_of(flags_${name} "${text}")
endforeach()
string(APPEND man ".SH EXIT STATUS
0 success; 1 the experiment ran but failed, or a fault at run time; 2 bad usage, bad config,
unknown experiment or trial; 130 interrupted.
.SH FILES
.TP
.I ./mlosbench.db
the storage file unless \\fB\\-\\-storage\\fR names another
.TP
.I /usr/share/mlosbench/config/
the built-in configs (examples, services, optimizers, schedulers, storage) and the JSON Schemas
of every config kind (\\fIschemas/\\fR); relative config paths are looked up there last
.SH SEE ALSO
.BR gnuplot (1)
")
file(WRITE "${OUT_DIR}/mlosbench.1" "${man}")

# bash: commands first, then the flags of the command given (the top level's without one).
flags_of(top_flags "${top}")
list(JOIN commands " " command_words)
list(JOIN commands "|" command_pattern)
set(cases "")
foreach(name IN LISTS commands)
    string(APPEND cases "        ${name}) flags=\"${flags_${name}}\" ;;\n")
endforeach()
file(WRITE "${OUT_DIR}/mlosbench.bash" "# bash completion for mlosbench ${VERSION}, generated from its --help.
_mlosbench()
{
    local cur=\${COMP_WORDS[COMP_CWORD]} cmd= i flags
    for ((i = 1; i < COMP_CWORD; i++)); do
        case \${COMP_WORDS[i]} in
        ${command_pattern}) cmd=\${COMP_WORDS[i]}; break ;;
        esac
    done
    case \$cmd in
${cases}        *) flags=\"${top_flags}\" ;;
    esac
    if [[ \$cur == -* ]]; then
        COMPREPLY=(\$(compgen -W \"\$flags\" -- \"\$cur\"))
    elif [[ -z \$cmd && \$COMP_CWORD -eq 1 ]]; then
        COMPREPLY=(\$(compgen -W \"${command_words}\" -- \"\$cur\") \$(compgen -f -- \"\$cur\"))
    else
        COMPREPLY=(\$(compgen -f -- \"\$cur\"))
    fi
}
complete -o filenames -F _mlosbench mlosbench
")

# zsh: the same, with each command's one-line description.
set(described "")
foreach(name IN LISTS commands)
    string(REPLACE "'" "'\\''" what "${what_${name}}")
    string(REPLACE ":" "\\:" what "${what}")
    string(APPEND described "        '${name}:${what}'\n")
endforeach()
set(zcases "")
foreach(name IN LISTS commands)
    string(APPEND zcases "    ${name}) flags=(${flags_${name}}) ;;\n")
endforeach()
file(WRITE "${OUT_DIR}/_mlosbench" "#compdef mlosbench
# zsh completion for mlosbench ${VERSION}, generated from its --help.
local -a commands flags
commands=(
${described})
if (( CURRENT == 2 )) && [[ \$words[CURRENT] != -* ]]; then
    _describe 'command' commands
    _files
    return
fi
case \$words[2] in
${zcases}    *) flags=(${top_flags}) ;;
esac
if [[ \$words[CURRENT] == -* ]]; then
    compadd -- \$flags
else
    _files
fi
")
