# MLOSBENCH_UNITY compiles the libraries' and the binary's files in batches of 8, one
# compiler run per batch: the templates they share (nlohmann/json, spdlog, the standard
# library) are compiled once per batch instead of once per file. The sanitizer builds of the
# tests turn it on (scripts/setup.sh): a fresh ASan build of them takes 162 s instead of
# 401 s on 2 cores. The Release build keeps one run per file, so a file that forgets an
# include fails there.
option(MLOSBENCH_UNITY "Compile the libraries and the binary in batches (unity build)" OFF)
function(mlosbench_unity target)
    if(MLOSBENCH_UNITY)
        set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
    endif()
endfunction()

# mlosbench_area(NAME [DEPS deps...] [PRIVATE_DEPS deps...]): a static library of
# src/NAME/*.cpp (and src/NAME/detail/*.cpp) named mlosbench_NAME, with include/ public.
function(mlosbench_area name)
    cmake_parse_arguments(AREA "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
    file(GLOB sources CONFIGURE_DEPENDS
        ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp ${PROJECT_SOURCE_DIR}/src/${name}/detail/*.cpp)
    if(NOT sources)
        # An area whose code has not been written yet: headers only.
        add_library(mlosbench_${name} INTERFACE)
        target_include_directories(mlosbench_${name} INTERFACE ${PROJECT_SOURCE_DIR}/include)
        target_link_libraries(mlosbench_${name} INTERFACE mlosbench_settings ${AREA_DEPS})
        return()
    endif()
    add_library(mlosbench_${name} STATIC ${sources})
    target_include_directories(mlosbench_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
        PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(mlosbench_${name} PUBLIC mlosbench_settings ${AREA_DEPS}
        PRIVATE ${AREA_PRIVATE_DEPS})
    mlosbench_unity(mlosbench_${name})
endfunction()
