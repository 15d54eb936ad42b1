#!/bin/sh
# Compresses $1 with $tool -$level and writes results.csv (long form: metric,value).
# score = compressed kilobytes + ms_weight * milliseconds (lower is better).
set -eu
input="$1"

# A missing program would otherwise fail the trial with a bare exit code 127.
for program in "$tool" date wc awk; do
    if ! command -v "$program" >/dev/null 2>&1; then
        case "$program" in
            xz) package=xz-utils ;;
            gzip) package=gzip ;;
            awk) package=mawk ;;
            *) package=coreutils ;;
        esac
        echo "compress.sh: '$program' not found on PATH (Debian package $package)" >&2
        exit 127
    fi
done

start=$(date +%s%N)
"$tool" "-$level" -c "$input" > compressed.out
end=$(date +%s%N)
bytes=$(wc -c < compressed.out)
ms=$(( (end - start) / 1000000 ))
awk -v b="$bytes" -v ms="$ms" -v w="$ms_weight" -v in_bytes="$(wc -c < "$input")" 'BEGIN {
    print "metric,value"
    printf "compressed_kb,%.3f\n", b / 1024
    printf "time_ms,%d\n", ms
    printf "ratio,%.4f\n", in_bytes / b
    printf "score,%.3f\n", b / 1024 + w * ms
}' > results.csv
