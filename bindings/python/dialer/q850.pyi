"""Stubs of dialer.q850 (the extension's submodule dialer._dialer.q850): the
Q.850 cause values the dialer acts on."""

unknown: int
unallocated_number: int
no_route_to_destination: int
normal_clearing: int
user_busy: int
no_user_response: int
no_answer: int
subscriber_absent: int
call_rejected: int
number_changed: int
destination_out_of_order: int
invalid_number_format: int
normal_unspecified: int
no_circuit_available: int
network_out_of_order: int
temporary_failure: int
switching_equipment_congestion: int
