# What `cmake --install` puts where (GNUInstallDirs), and the Debian package CPack builds
# from it (scripts/package.sh).
#   bin/mlosbench
#   share/mlosbench/config/          built-in configs and the JSON Schemas (config/schemas/)
#   share/man/man1/mlosbench.1       generated from the built binary's --help texts
#   share/bash-completion/completions/mlosbench, share/zsh/vendor-completions/_mlosbench
#   share/doc/mlosbench/             README.md, LICENSE
# The binary finds its configs relative to itself (../share/mlosbench/config), so an installed
# tree works wherever it is unpacked (DESTDIR, another prefix).

set(MLOSBENCH_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
set(MLOSBENCH_GENERATED
    ${MLOSBENCH_GENERATED_DIR}/mlosbench.1
    ${MLOSBENCH_GENERATED_DIR}/mlosbench.bash
    ${MLOSBENCH_GENERATED_DIR}/_mlosbench)
add_custom_command(OUTPUT ${MLOSBENCH_GENERATED}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MLOSBENCH_GENERATED_DIR}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
        ${CMAKE_COMMAND} -DMLOSBENCH=$<TARGET_FILE:mlosbench> -DVERSION=${PROJECT_VERSION}
        -DOUT_DIR=${MLOSBENCH_GENERATED_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/GenerateDocs.cmake
    DEPENDS mlosbench ${PROJECT_SOURCE_DIR}/cmake/GenerateDocs.cmake
    COMMENT "Generating the man page and shell completions from mlosbench --help"
    VERBATIM)
add_custom_target(mlosbench_docs ALL DEPENDS ${MLOSBENCH_GENERATED})

install(TARGETS mlosbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/ DESTINATION ${CMAKE_INSTALL_DATADIR}/mlosbench/config
    USE_SOURCE_PERMISSIONS) # example scripts stay executable
install(FILES ${MLOSBENCH_GENERATED_DIR}/mlosbench.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${MLOSBENCH_GENERATED_DIR}/mlosbench.bash
    DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME mlosbench)
install(FILES ${MLOSBENCH_GENERATED_DIR}/_mlosbench
    DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
    DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The .deb: Debian 12's runtime packages of the libraries the binary links (libpq5 is loaded
# when a PostgreSQL storage is used), gnuplot for plot and report as a recommendation.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mlosbench)
set(CPACK_PACKAGE_VENDOR "mlosbench")
set(CPACK_PACKAGE_CONTACT "mlosbench maintainers <mlosbench@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libstdc++6, libgcc-s1, libssh-4, libsqlite3-0, libpq5, libzip4, libspdlog1.10, libfmt9, libcpp-httplib0.11")
# gnuplot draws plot and report's charts; Chart.js serve's dashboard (read from its file).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnuplot-nox, libjs-chart.js")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Runs benchmark trials from JSONC configs (those of mlos_bench too) on this machine or over
 SSH, tunes their parameters between trials and records everything in SQLite or PostgreSQL.")
include(CPack)
