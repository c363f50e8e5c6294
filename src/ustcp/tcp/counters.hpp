// Counters with the names of /proc/net/snmp (Ip:, Icmp:, IcmpMsg:, Tcp:) and
// /proc/net/netstat (TcpExt:), kept per stack. The engine increments them; the stack prints
// them as nstat does. CurrEstab is a gauge and is computed by the stack, not kept here.
// A field is named by the counter alone, so a name can appear in one group only: Icmp's
// InCsumErrors is left out (Tcp has one), and a bad ICMP checksum counts in IcmpInErrors.
#pragma once

#include <cstdint>

namespace ustcp::tcp {

// X(group, name): group is the prefix of the /proc line the counter is printed on.
#define USTCP_COUNTERS(X)           \
  X(Ip, InReceives)                 \
  X(Ip, InHdrErrors)                \
  X(Ip, InAddrErrors)               \
  X(Ip, InUnknownProtos)            \
  X(Ip, InDelivers)                 \
  X(Ip, OutRequests)                \
  X(Ip, ReasmFails)                 \
  X(Icmp, InMsgs)                   \
  X(Icmp, InErrors)                 \
  X(Icmp, InEchos)                  \
  X(Icmp, OutMsgs)                  \
  X(Icmp, OutEchoReps)              \
  X(IcmpMsg, InType8)               \
  X(IcmpMsg, OutType0)              \
  X(Tcp, ActiveOpens)               \
  X(Tcp, PassiveOpens)              \
  X(Tcp, AttemptFails)              \
  X(Tcp, EstabResets)               \
  X(Tcp, InSegs)                    \
  X(Tcp, OutSegs)                   \
  X(Tcp, RetransSegs)               \
  X(Tcp, InErrs)                    \
  X(Tcp, OutRsts)                   \
  X(Tcp, InCsumErrors)              \
  X(TcpExt, SyncookiesSent)         \
  X(TcpExt, SyncookiesRecv)         \
  X(TcpExt, SyncookiesFailed)       \
  X(TcpExt, EmbryonicRsts)          \
  X(TcpExt, TW)                     \
  X(TcpExt, TWRecycled)             \
  X(TcpExt, TWKilled)               \
  X(TcpExt, PAWSActive)             \
  X(TcpExt, PAWSEstab)              \
  X(TcpExt, DelayedACKs)            \
  X(TcpExt, ListenOverflows)        \
  X(TcpExt, ListenDrops)            \
  X(TcpExt, TCPHPAcks)              \
  X(TcpExt, TCPPureAcks)            \
  X(TcpExt, TCPRenoRecovery)        \
  X(TcpExt, TCPFastRetrans)         \
  X(TcpExt, TCPSlowStartRetrans)    \
  X(TcpExt, TCPTimeouts)            \
  X(TcpExt, TCPLossProbes)          \
  X(TcpExt, TCPAbortOnData)         \
  X(TcpExt, TCPAbortOnClose)        \
  X(TcpExt, TCPAbortOnMemory)       \
  X(TcpExt, TCPAbortOnTimeout)      \
  X(TcpExt, TCPAbortOnLinger)       \
  X(TcpExt, TCPOFOQueue)            \
  X(TcpExt, TCPDSACKOldSent)        \
  X(TcpExt, TCPOFODrop)             \
  X(TcpExt, TCPRcvQDrop)            \
  X(TcpExt, TCPZeroWindowDrop)      \
  X(TcpExt, TCPChallengeACK)        \
  X(TcpExt, TCPSYNChallenge)        \
  X(TcpExt, TCPSynRetrans)          \
  X(TcpExt, TCPOrigDataSent)        \
  X(TcpExt, TCPKeepAlive)           \
  X(TcpExt, TCPReqQFullDoCookies)   \
  X(TcpExt, TCPReqQFullDrop)        \
  X(TcpExt, TCPTimeWaitOverflow)    \
  X(TcpExt, TCPACKSkippedSeq)       \
  X(TcpExt, TCPACKSkippedChallenge) \
  X(TcpExt, TCPWinProbe)            \
  X(TcpExt, TCPDelivered)

struct Counters {
#define USTCP_COUNTER_FIELD(group, name) uint64_t name = 0;
  USTCP_COUNTERS(USTCP_COUNTER_FIELD)
#undef USTCP_COUNTER_FIELD

  // Calls f(group, name, value) for every counter, in /proc order.
  template <typename F>
  void for_each(F&& f) const {
#define USTCP_COUNTER_VISIT(group, name) f(#group, #name, name);
    USTCP_COUNTERS(USTCP_COUNTER_VISIT)
#undef USTCP_COUNTER_VISIT
  }
};

}  // namespace ustcp::tcp
