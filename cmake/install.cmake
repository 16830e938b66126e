# install.cmake - what `cmake --install` puts where, and the CPack .deb.
# The man page is generated from docs/man/*.scd by scdoc (Debian: scdoc), the
# same source the documentation links to, so the two never drift.
option(SFMC_MAN "Build and install the man page (needs scdoc)" ON)
set(SFMC_MAN ${CMAKE_BINARY_DIR}/man/sfmc-scan.1)
if(SFMC_MAN)
find_program(SCDOC scdoc REQUIRED)
add_custom_command(
  OUTPUT ${SFMC_MAN}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
  COMMAND ${SCDOC} < ${CMAKE_SOURCE_DIR}/docs/man/sfmc-scan.1.scd > ${SFMC_MAN}
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/man/sfmc-scan.1.scd
  COMMENT "scdoc: sfmc-scan.1")
add_custom_target(man ALL DEPENDS ${SFMC_MAN})
install(FILES ${SFMC_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

install(TARGETS sfmc-scan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/completions/sfmc-scan.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME sfmc-scan)
install(FILES ${CMAKE_SOURCE_DIR}/completions/_sfmc-scan DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${CMAKE_SOURCE_DIR}/completions/sfmc-scan.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES README.md LICENSE SECURITY.md CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(DIRECTORY ci/github ci/gitlab ci/pre-receive DESTINATION ${CMAKE_INSTALL_DOCDIR}/ci)
install(FILES rules/sfmc.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/sfmc-scan/rules)

# `cpack -G DEB --config build/CPackConfig.cmake`: Depends: computed by
# dpkg-shlibdeps from the libraries the binary links (Debian: dpkg-dev).
set(CPACK_PACKAGE_NAME sfmc-scan)
set(CPACK_PACKAGE_VERSION ${SFMC_VERSION_FULL})
set(CPACK_PACKAGE_CONTACT "sfmc-scan maintainers <security@sfmc-scan.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VENDOR "sfmc-scan")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded with dlopen (archives, --verify), so dpkg-shlibdeps cannot see them; added to what it finds.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libarchive13, libcurl4")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "${PROJECT_DESCRIPTION}.
 sfmc-scan finds SFMC client secrets (SFMC_ + 51 characters + checksum) as a
 pre-commit hook, as a CI step or in a one-off audit of a whole git history.")
set(CPACK_GENERATOR DEB)
include(CPack)
