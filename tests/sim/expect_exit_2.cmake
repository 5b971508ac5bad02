# Runs PROGRAM --scenario SCENARIO --policy progressive [ARGS] and passes only
# if it exits with status 2 (bad input); prints its error output for the
# test's regular expression. ARGS: more arguments, separated by spaces.
separate_arguments(more UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${PROGRAM} --scenario ${SCENARIO} --policy progressive ${more}
  RESULT_VARIABLE status ERROR_VARIABLE err OUTPUT_VARIABLE out)
message("${err}")
if(NOT status EQUAL 2)
  message(FATAL_ERROR "expected exit status 2, got ${status}")
endif()
