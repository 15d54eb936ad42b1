#pragma once

#include <cstdio>
#include <cstdlib>

// FUZZ_CHECK(cond): an invariant of the code under test. When it does not hold the input is a
// bug: print where and abort, which libFuzzer (and the corpus replay) report as a crash.
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);          \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)
