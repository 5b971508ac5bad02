// call_control.hpp: the CallControl port (implementable in Python) and the
// telephony events fed back to the engine.
#include <string>
#include <string_view>

#include "bindings.hpp"
#include "dialer/call_control.hpp"
#include "python_port.hpp"

namespace dialer::python {
namespace {

// A CallControl implemented by a Python subclass. A raised exception becomes
// Errc::unavailable, or the code of a raised dialer.DialerError.
class PyCallControl final : public CallControl {
 public:
  Result<void> originate(const OriginateRequest& request) override {
    return call<void>("originate", request);
  }
  Result<void> answer(ChannelId channel) override { return call<void>("answer", channel); }
  Result<void> hang_up(ChannelId channel, int cause) override {
    return call<void>("hang_up", channel, cause);
  }
  Result<void> create_bridge(BridgeId bridge) override {
    return call<void>("create_bridge", bridge);
  }
  Result<void> add_to_bridge(BridgeId bridge, ChannelId channel) override {
    return call<void>("add_to_bridge", bridge, channel);
  }
  Result<void> destroy_bridge(BridgeId bridge) override {
    return call<void>("destroy_bridge", bridge);
  }
  Result<void> play(ChannelId channel, std::string_view media) override {
    return call<void>("play", channel, media);
  }

 private:
  template <class T, class... Args>
  Result<T> call(const char* name, const Args&... args) const {
    return call_python<T>(static_cast<const CallControl*>(this), "CallControl", name,
                          Errc::unavailable, args...);
  }
};

}  // namespace

void bind_call_control(py::module_& m) {
  auto leg = bind_enum<Leg>(m, "Leg", "Which side of a call a channel is.");
  DIALER_PY_VALUE(leg, Leg, customer);
  DIALER_PY_VALUE(leg, Leg, agent);

  ValueClass<OriginateRequest>(m, "OriginateRequest", "A call to place.")
      .field("channel", &OriginateRequest::channel, "Chosen by the engine.")
      .field("call", &OriginateRequest::call)
      .field("leg", &OriginateRequest::leg)
      .field("endpoint", &OriginateRequest::endpoint,
             "\"PJSIP/914155550100@trunk\", or the agent's endpoint.")
      .field("caller_id", &OriginateRequest::caller_id)
      .field("timeout", &OriginateRequest::timeout, "How long to ring.")
      .done();

  // The methods release the GIL: a C++ implementation may block; a Python
  // one takes the GIL back.
  const auto release = py::call_guard<py::gil_scoped_release>();
  py::class_<CallControl, PyCallControl>(
      m, "CallControl",
      "The port through which the engine places and ends calls. Subclass it in Python and "
      "override every method; return None for success and raise to refuse (a DialerError "
      "keeps its code, anything else is reported to the engine as Unavailable). Never call "
      "the engine from these methods: queue events and feed them to Engine.on_call_event "
      "afterwards.")
      .def(py::init<>())
      .def("originate", unwrapped(&CallControl::originate), py::arg("request"), release)
      .def("answer", unwrapped(&CallControl::answer), py::arg("channel"), release)
      .def("hang_up", unwrapped(&CallControl::hang_up), py::arg("channel"),
           py::arg("cause") = q850::normal_clearing, release)
      .def("create_bridge", unwrapped(&CallControl::create_bridge), py::arg("bridge"), release)
      .def("add_to_bridge", unwrapped(&CallControl::add_to_bridge), py::arg("bridge"),
           py::arg("channel"), release)
      .def("destroy_bridge", unwrapped(&CallControl::destroy_bridge), py::arg("bridge"), release)
      .def("play", unwrapped(&CallControl::play), py::arg("channel"), py::arg("media"), release);

  ValueClass<ChannelRinging>(m, "ChannelRinging", "The far end is ringing.")
      .field("channel", &ChannelRinging::channel)
      .done();
  ValueClass<ChannelAnswered>(m, "ChannelAnswered",
                              "The far end answered and the channel is under the dialer's "
                              "control.")
      .field("channel", &ChannelAnswered::channel)
      .field("machine", &ChannelAnswered::machine,
             "Answering-machine detection found a machine: never given to an agent.")
      .done();
  auto source = bind_enum<HangupSource>(m, "HangupSource", "How the end of a channel became known.");
  DIALER_PY_VALUE(source, HangupSource, reported);
  DIALER_PY_VALUE(source, HangupSource, lost_in_gap);
  ValueClass<ChannelHungUp>(m, "ChannelHungUp", "The channel is gone (final).")
      .field("channel", &ChannelHungUp::channel)
      .field("cause", &ChannelHungUp::cause, "Q.850 cause; 0 when unknown.")
      .field("dial_status", &ChannelHungUp::dial_status)
      .field("source", &ChannelHungUp::source,
             "lost_in_gap: found gone after the telephony link came back; nobody saw how it ended.")
      .done();
  ValueClass<OriginateFailed>(m, "OriginateFailed",
                              "An accepted originate failed before the channel existed (final).")
      .field("channel", &OriginateFailed::channel)
      .field("error", &OriginateFailed::error)
      .done();
  ValueClass<PlaybackFinished>(m, "PlaybackFinished", "A play() to this channel finished.")
      .field("channel", &PlaybackFinished::channel)
      .done();
  m.attr("CallEvent") = union_of(m, {"ChannelRinging", "ChannelAnswered", "ChannelHungUp",
                                     "OriginateFailed", "PlaybackFinished"});
}

}  // namespace dialer::python
