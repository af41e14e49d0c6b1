# Turns a text file of the source tree into a C++ source that returns it, at build time:
#   cmake -DINPUT=… -DOUTPUT=… -DFUNCTION=ns::name [-DJSON=ON] -P EmbedText.cmake
# JSON=ON refuses (fails the build) a file that is not valid JSON, naming the error.
if(NOT INPUT OR NOT OUTPUT OR NOT FUNCTION)
  message(FATAL_ERROR "EmbedText.cmake needs INPUT, OUTPUT and FUNCTION")
endif()
file(READ "${INPUT}" text)
if(JSON)
  string(JSON kind ERROR_VARIABLE error TYPE "${text}")
  if(error)
    message(FATAL_ERROR "${INPUT} is not valid JSON: ${error}")
  endif()
endif()
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hexLength)
math(EXPR size "${hexLength} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){24})" "\\1\n    " bytes "${bytes}")
string(REGEX MATCH "^(.*)::([^:]+)$" _ "${FUNCTION}")
set(namespace "${CMAKE_MATCH_1}")
set(name "${CMAKE_MATCH_2}")
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by EmbedText.cmake: edit that file, not this one.
#include <string_view>

namespace ${namespace} {
namespace {
constexpr char data[] = {
    ${bytes}};
}  // namespace

std::string_view ${name}() { return {data, ${size}}; }

}  // namespace ${namespace}
")
# Only touch the output when it changed, so an unchanged document recompiles nothing.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
