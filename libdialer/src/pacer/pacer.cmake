# Pacing policies (pacer.hpp), compiled into dialer::core: one file per policy,
# policies.hpp is their private factory list.
target_sources(dialer_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/pacer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/progressive.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ratio.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vicidial_tapered.cpp
  ${CMAKE_CURRENT_LIST_DIR}/predictive.cpp
  ${CMAKE_CURRENT_LIST_DIR}/predictive_model.cpp
)
