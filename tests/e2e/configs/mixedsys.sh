#!/bin/sh
# Prints score=f for the mixedsys problem (bench/optbench_problems.hpp).
exec awk -v w="$workers" -v b="$buffer_kb" -v p="$prefetch" -v r="$cache_ratio" \
    -v t="$flush_ms" -v s="$scheduler" -v c="$compression" 'BEGIN {
    W["fifo"] = 6; W["lifo"] = 3; W["rr"] = 10; W["cfs"] = 26; W["deadline"] = 14
    S["fifo"] = 0.30; S["lifo"] = 0.60; S["rr"] = 0.15; S["cfs"] = 0.00; S["deadline"] = 0.05
    U["none"] = 14; U["lz4"] = 12; U["zstd"] = 9
    R["none"] = 0.20; R["lz4"] = 0.85; R["zstd"] = 0.50
    C["none"] = 0.40; C["lz4"] = 0.00; C["zstd"] = 0.10
    pi = atan2(0, -1)
    u = log(b) / log(2)
    dw = w - W[s]
    du = u - U[c] - 0.25 * dw
    dr = r - R[c] - 0.03 * (u - U[c])
    dv = log(t / 50.0) / log(10) + 0.5 * dr
    Tw = 0.5 * (dw / 8) ^ 2
    Tu = 0.3 * (du / 4) ^ 2
    Tp = (p == 0) ? 0.35 : 0.03 * (p > 3 ? p - 3 : 3 - p)
    Tr = 2.0 * dr ^ 2
    Tv = 0.4 * dv ^ 2 + 0.1 * (1 - cos(2 * pi * dv))
    printf "score=%.12f\n", 1.0 + S[s] + C[c] + Tw + Tu + Tp + Tr + Tv
}'
