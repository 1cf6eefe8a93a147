# Install rules: `cmake --install <build> --prefix <p>` puts under <p>
#   bin/strain                          the host
#   include/strain/                     the public API
#   <libdir>/libstrain_runtime.a        its compiled half, which plugins link
#   <libdir>/strain/*.so                the in-tree scenario plugins
#   share/strain/specs/                 their specs
#   share/doc/strain/                   README.md and docs/ (what `strain new`'s
#                                       scaffold and --help point to)
#   <libdir>/cmake/Strain/              StrainConfig.cmake (+ version file),
#                                       StrainTargets.cmake, StrainPlugin.cmake
include(CMakePackageConfigHelpers)

install(TARGETS strain_api strain_runtime strain EXPORT StrainTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/harness/include/strain
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/specs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/strain/specs
  FILES_MATCHING PATTERN "*.yaml")
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
  FILES_MATCHING PATTERN "*.md")
install(EXPORT StrainTargets NAMESPACE Strain:: DESTINATION ${STRAIN_INSTALL_CMAKE_DIR})

if(STRAIN_TSAN)
  set(STRAIN_HOST_SANITIZER thread)
elseif(STRAIN_ASAN)
  set(STRAIN_HOST_SANITIZER address)
else()
  set(STRAIN_HOST_SANITIZER "")
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/StrainConfig.cmake.in
  ${PROJECT_BINARY_DIR}/StrainConfig.cmake
  INSTALL_DESTINATION ${STRAIN_INSTALL_CMAKE_DIR})
# SameMajorVersion, as the models do (google/benchmark). A plugin built
# against other headers is refused at load time by the ABI version
# (strain::kAbiVersion in strain/scenario.hpp), which this does not replace.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/StrainConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/StrainConfig.cmake
  ${PROJECT_BINARY_DIR}/StrainConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/StrainPlugin.cmake
  DESTINATION ${STRAIN_INSTALL_CMAKE_DIR})
