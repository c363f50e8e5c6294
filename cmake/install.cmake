# Install rules: `cmake --install build --prefix P` puts
#   P/include/ustcp/...                     every header of the library (the public set is
#                                           the one ustcp/ustcp.hpp includes, see README)
#   P/lib/libustcp.a
#   P/lib/cmake/ustcp/ustcpConfig.cmake     find_package(ustcp) -> target ustcp::ustcp
#   P/lib/cmake/ustcp/ustcpConfigVersion.cmake
#   P/lib/pkgconfig/ustcp.pc                pkg-config --cflags --libs ustcp
include(CMakePackageConfigHelpers)

set(USTCP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ustcp)

# Headers keep their place under ustcp/: internal ones too, since public headers include
# them (stack.hpp holds the engine's types by value), but only the public set is documented.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/ustcp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")

install(TARGETS ustcp EXPORT ustcpTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ustcpTargets NAMESPACE ustcp:: DESTINATION ${USTCP_CMAKE_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ustcpConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/ustcpConfig.cmake
                              INSTALL_DESTINATION ${USTCP_CMAKE_DIR})
# 0.x: only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ustcpConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ustcpConfig.cmake ${PROJECT_BINARY_DIR}/ustcpConfigVersion.cmake
        DESTINATION ${USTCP_CMAKE_DIR})

# pkg-config: paths relative to where the .pc file lands, so `--prefix` at install time (or
# a relocated tree) works.
file(RELATIVE_PATH USTCP_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
configure_file(${CMAKE_CURRENT_LIST_DIR}/ustcp.pc.in ${PROJECT_BINARY_DIR}/ustcp.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ustcp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
