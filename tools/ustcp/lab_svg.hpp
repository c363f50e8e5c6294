// The picture of one lab run, as a self-contained SVG (no scripts, no external fonts):
//  - a header: the incident, the settings, what happened and the checks;
//  - a sequence diagram: one lane per host, one row per event of the connections in focus
//    (segments as arrows from sender to receiver with tcpdump's flags and relative numbers,
//    retransmissions dashed and labelled as Wireshark marks them, drops as arrows that stop
//    at a cross, state changes as labels on their host's lane, notes across the lanes; a
//    legend says what the colours and dashes mean); everything else is summed up in rows like
//    "... 27,950 segments of other connections over 58.2 s ...", so that a run of any size
//    stays readable;
//  - a timeline per host: how many sockets are in each state over the whole run (one
//    pixel column holds the highest and the last count of its time slice), with the notes
//    as vertical markers.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "lab_world.hpp"

namespace ustcp::cli {

struct LabPicture {
  std::string title;                                 // the incident
  std::string settings;                              // the variant's sysctls and setup
  std::vector<std::string> summary;                  // what happened, one line each
  std::vector<std::pair<bool, std::string>> checks;  // the scenario's assertions
  // Connections (by a segment of theirs) whose events the sequence diagram shows.
  std::function<bool(const LabSegment&)> focus;
  // Of those connections' segments, the ones that get a row (unset: all); the others are
  // summed up in the gap rows.
  std::function<bool(const LabSegment&)> rows;
  bool absolute_seq = false;  // sequence numbers as sent (default: relative, as tcpdump)
  size_t max_rows = 90;       // sequence diagram rows at most
  std::vector<std::string> timeline_hosts;  // hosts whose state counts are plotted
};

std::string lab_svg(const LabWorld& w, const LabPicture& p);

}  // namespace ustcp::cli
