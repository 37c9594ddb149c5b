# SPDX-License-Identifier: Apache-2.0
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS tlcp_static tlcp_shared EXPORT libtlcpTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tlcp RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/tlcp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT libtlcpTargets NAMESPACE libtlcp::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libtlcp)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/libtlcpConfig.cmake.in
    ${CMAKE_BINARY_DIR}/libtlcpConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libtlcp)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/libtlcpConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/libtlcpConfig.cmake ${CMAKE_BINARY_DIR}/libtlcpConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libtlcp)

configure_file(${CMAKE_SOURCE_DIR}/cmake/libtlcp.pc.in ${CMAKE_BINARY_DIR}/libtlcp.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/libtlcp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# tlcp(1); docs/tlcp.1 is kept in step with every --help (tests/cli/manpage.sh).
install(FILES ${CMAKE_SOURCE_DIR}/docs/tlcp.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
