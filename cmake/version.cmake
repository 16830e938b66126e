# Sets SFMC_VERSION_FULL: `git describe` of the source tree when it is a git
# checkout with a v* tag (0.2.0, or 0.2.0-14-gabc1234 past it, -dirty when
# modified), PROJECT_VERSION-g<commit> in a checkout without a tag, and
# PROJECT_VERSION from a source tarball.
set(SFMC_VERSION_FULL ${PROJECT_VERSION})
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} -C ${CMAKE_SOURCE_DIR} describe --tags --match "v[0-9]*" --dirty
                  OUTPUT_VARIABLE describe OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND describe MATCHES "^v(.+)$")
    set(SFMC_VERSION_FULL ${CMAKE_MATCH_1})
  else()
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${CMAKE_SOURCE_DIR} describe --always --abbrev=7 --dirty
                    OUTPUT_VARIABLE describe OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_QUIET)
    if(rc EQUAL 0 AND NOT describe STREQUAL "")
      set(SFMC_VERSION_FULL ${PROJECT_VERSION}-g${describe})
    endif()
  endif()
  # Re-run configure when HEAD or the tags move, so the version follows the checkout.
  foreach(f HEAD packed-refs)
    if(EXISTS ${CMAKE_SOURCE_DIR}/.git/${f})
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/.git/${f})
    endif()
  endforeach()
endif()
message(STATUS "sfmc-scan version ${SFMC_VERSION_FULL}")
