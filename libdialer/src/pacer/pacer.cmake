# Pacing policies (pacer.hpp), compiled into dialer::core.
target_sources(dialer_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/pacer.cpp
)
