# Fails when PRINTER's output differs from the file DOC.
execute_process(COMMAND ${PRINTER} OUTPUT_VARIABLE printed RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PRINTER} failed with ${rc}")
endif()
file(READ ${DOC} checked_in)
if(NOT printed STREQUAL checked_in)
  message(FATAL_ERROR "${DOC} is out of date: regenerate it with ${PRINTER} > ${DOC}")
endif()
