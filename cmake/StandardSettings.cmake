# Flags shared by every target of ours, carried by one INTERFACE target.
add_library(mlosbench_settings INTERFACE)
target_compile_options(mlosbench_settings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough)
if(MLOSBENCH_WERROR)
    target_compile_options(mlosbench_settings INTERFACE -Werror)
endif()
if(MLOSBENCH_SANITIZE STREQUAL "thread")
    target_compile_options(mlosbench_settings INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(mlosbench_settings INTERFACE -fsanitize=thread)
elseif(MLOSBENCH_SANITIZE)
    target_compile_options(mlosbench_settings INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(mlosbench_settings INTERFACE -fsanitize=address,undefined)
endif()
if(MLOSBENCH_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "MLOSBENCH_FUZZ needs clang (libFuzzer): configure with CXX=clang++")
    endif()
    # Libraries get the coverage instrumentation; the fuzz targets link libFuzzer's main.
    target_compile_options(mlosbench_settings INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    target_link_options(mlosbench_settings INTERFACE -fsanitize=address,undefined)
endif()
target_compile_definitions(mlosbench_settings INTERFACE
    MLOSBENCH_VERSION="${PROJECT_VERSION}"
    MLOSBENCH_SOURCE_CONFIG_DIR="${PROJECT_SOURCE_DIR}/config"
    MLOSBENCH_INSTALL_CONFIG_DIR="${CMAKE_INSTALL_FULL_DATADIR}/mlosbench/config")
