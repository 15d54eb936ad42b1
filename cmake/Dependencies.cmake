# Every dependency comes from a Debian package (scripts/setup.sh installs them).
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(SQLiteCpp REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(libssh REQUIRED)
find_package(Threads REQUIRED)
# libzip ships a pkg-config file (Debian libzip-dev); only the results area links it.
find_package(PkgConfig REQUIRED)
pkg_check_modules(libzip REQUIRED IMPORTED_TARGET libzip)
# libpq (Debian libpq-dev), PostgreSQL's own C client library: the storage area loads it when
# a PostgreSQL storage is used; the tests' PostgreSQL server fixture links it.
pkg_check_modules(libpq REQUIRED IMPORTED_TARGET libpq)
# cpp-httplib (Debian libcpp-httplib-dev, built there as a shared library with its pkg-config
# file and the -D flags it was built with): the HTTP server of `serve`.
pkg_check_modules(cpp_httplib REQUIRED IMPORTED_TARGET cpp-httplib)
# Chart.js for the dashboard (Debian libjs-chart.js), served from the installed file.
set(MLOSBENCH_CHARTJS_FILE /usr/share/javascript/chart.js/chart.min.js CACHE FILEPATH
    "Chart.js (UMD build) that serve's dashboard loads")

# valijson is header-only; Debian's libvalijson-dev pulls in many unrelated -dev packages,
# so scripts/setup.sh unpacks just its headers into build/deps/ (a system install works too).
find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp
    HINTS ${PROJECT_SOURCE_DIR}/build/deps/valijson/usr/include /usr/include)
if(NOT VALIJSON_INCLUDE_DIR)
    message(FATAL_ERROR "valijson headers not found: run scripts/setup.sh (it unpacks libvalijson-dev)")
endif()
add_library(valijson INTERFACE)
target_include_directories(valijson SYSTEM INTERFACE ${VALIJSON_INCLUDE_DIR})
target_compile_definitions(valijson INTERFACE VALIJSON_USE_EXCEPTIONS=1)
