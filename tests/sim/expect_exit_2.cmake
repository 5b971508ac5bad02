# Runs PROGRAM --scenario SCENARIO and passes only if it exits with status 2
# (bad input); prints its error output for the test's regular expression.
execute_process(COMMAND ${PROGRAM} --scenario ${SCENARIO} --policy progressive
  RESULT_VARIABLE status ERROR_VARIABLE err OUTPUT_VARIABLE out)
message("${err}")
if(NOT status EQUAL 2)
  message(FATAL_ERROR "expected exit status 2, got ${status}")
endif()
