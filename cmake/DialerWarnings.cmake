# dialer_warnings: an INTERFACE target every project target links, carrying the
# warning set, -Werror when DIALER_WERROR is on, and the sanitizer flags.
add_library(dialer_warnings INTERFACE)
target_compile_options(dialer_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${DIALER_WERROR}>:-Werror>)

if(DIALER_SANITIZE)
  add_compile_options(-fsanitize=${DIALER_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${DIALER_SANITIZE})
endif()
