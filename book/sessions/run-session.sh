#!/usr/bin/env bash
# Run one session as a reader would type it: each command after "$ ", then
# what it printed (stdout and stderr, in order), on stdout. Lines that start
# with "#!" or "##" are skipped; another "#" line runs but is not shown.
#
#   book/sessions/run-session.sh PREFIX FILE
#
# PREFIX is the session's scratch file prefix, $0 inside the session
# ("$0.pids" takes the pids it notes). scripts/book-output.sh runs this on
# the host; scripts/vm-test.sh --book runs it in the cgroup v2 VM.
# shellcheck disable=SC2016 # the inner script expands its own variables
exec bash --noprofile --norc -c '
    while IFS= read -r line <&3; do
        case $line in
            "#!"* | "##"*) ;;
            "#"*) eval "${line#\#}" >/dev/null 2>&1 ;;
            *)
                printf "\$ %s\n" "$line"
                eval "$line" >"$0.last" 2>&1
                cat "$0.last"
                # A prompt starts on a new line, so end an unfinished one.
                if [ -s "$0.last" ] && [ "$(tail -c1 "$0.last" | wc -l)" = 0 ]; then echo; fi
                ;;
        esac
    done 3<"$1"; true' "$1" "$2" </dev/null
