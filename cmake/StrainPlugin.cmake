# strain_add_plugin(NAME SOURCES src...): a scenario plugin, a MODULE library
# against Strain::api, placed where the host looks for plugins by default.
function(strain_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Strain::api)
  if(TARGET strain_warnings)
    target_link_libraries(${name} PRIVATE strain_warnings)
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${STRAIN_PLUGIN_DIR})
  # Tests that run the host on every plugin depend on this list.
  set_property(GLOBAL APPEND PROPERTY STRAIN_PLUGIN_TARGETS ${name})
endfunction()
