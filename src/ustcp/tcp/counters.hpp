// Counters with the names of /proc/net/snmp (Ip, Icmp, IcmpMsg, Tcp, Udp, UdpLite) and
// /proc/net/netstat (TcpExt, IpExt), every one Linux 6.18 prints, in the order it prints them
// (net/ipv4/proc.c: snmp4_ipstats_list, icmpmibmap, snmp4_tcp_list, snmp4_udp_list,
// snmp4_net_list, snmp4_ipextstats_list). The engine and the stack increment the ones ustcp
// has a reason to count; the others stay 0, as they do on a kernel where nothing happened.
//
// Field names: a Tcp or TcpExt counter is named by its /proc name alone (mib.OutSegs,
// mib.TCPDelivered: the engine's names). A counter of any other group carries the group as
// nstat spells it (mib.IpInReceives, mib.IcmpInCsumErrors, mib.UdpInErrors), because the
// same /proc name occurs in several groups (InCsumErrors is in IpExt, Icmp, Tcp, Udp and
// UdpLite). Not kept here: the constants (Ip Forwarding/DefaultTTL, Tcp RtoAlgorithm/RtoMin/
// RtoMax/MaxConn) and the CurrEstab gauge, which the stack computes (stack/netstat.hpp).
// IcmpMsg is two arrays indexed by ICMP type; /proc lists only its nonzero entries.
// IPv6 (/proc/net/snmp6) and MPTcpExt are left out: ustcp has neither IPv6 nor MPTCP.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <string_view>

namespace ustcp::tcp {

// X(group, field, name): group is the prefix of the /proc line the counter is printed on,
// field the member below, name the column name in /proc (nstat prints group + name).
// USTCP_COUNTERS(X) is every counter but IcmpMsg; it comes in two parts because /proc
// prints the IcmpMsg entries between Icmp and Tcp.
#define USTCP_COUNTERS(X)          \
  USTCP_COUNTERS_BEFORE_ICMPMSG(X) \
  USTCP_COUNTERS_AFTER_ICMPMSG(X)

// The snmp groups before IcmpMsg: Ip and Icmp.
#define USTCP_COUNTERS_BEFORE_ICMPMSG(X)              \
  X(Ip, IpInReceives, InReceives)                     \
  X(Ip, IpInHdrErrors, InHdrErrors)                   \
  X(Ip, IpInAddrErrors, InAddrErrors)                 \
  X(Ip, IpForwDatagrams, ForwDatagrams)               \
  X(Ip, IpInUnknownProtos, InUnknownProtos)           \
  X(Ip, IpInDiscards, InDiscards)                     \
  X(Ip, IpInDelivers, InDelivers)                     \
  X(Ip, IpOutRequests, OutRequests)                   \
  X(Ip, IpOutDiscards, OutDiscards)                   \
  X(Ip, IpOutNoRoutes, OutNoRoutes)                   \
  X(Ip, IpReasmTimeout, ReasmTimeout)                 \
  X(Ip, IpReasmReqds, ReasmReqds)                     \
  X(Ip, IpReasmOKs, ReasmOKs)                         \
  X(Ip, IpReasmFails, ReasmFails)                     \
  X(Ip, IpFragOKs, FragOKs)                           \
  X(Ip, IpFragFails, FragFails)                       \
  X(Ip, IpFragCreates, FragCreates)                   \
  X(Ip, IpOutTransmits, OutTransmits)                 \
  X(Icmp, IcmpInMsgs, InMsgs)                         \
  X(Icmp, IcmpInErrors, InErrors)                     \
  X(Icmp, IcmpInCsumErrors, InCsumErrors)             \
  X(Icmp, IcmpInDestUnreachs, InDestUnreachs)         \
  X(Icmp, IcmpInTimeExcds, InTimeExcds)               \
  X(Icmp, IcmpInParmProbs, InParmProbs)               \
  X(Icmp, IcmpInSrcQuenchs, InSrcQuenchs)             \
  X(Icmp, IcmpInRedirects, InRedirects)               \
  X(Icmp, IcmpInEchos, InEchos)                       \
  X(Icmp, IcmpInEchoReps, InEchoReps)                 \
  X(Icmp, IcmpInTimestamps, InTimestamps)             \
  X(Icmp, IcmpInTimestampReps, InTimestampReps)       \
  X(Icmp, IcmpInAddrMasks, InAddrMasks)               \
  X(Icmp, IcmpInAddrMaskReps, InAddrMaskReps)         \
  X(Icmp, IcmpOutMsgs, OutMsgs)                       \
  X(Icmp, IcmpOutErrors, OutErrors)                   \
  X(Icmp, IcmpOutRateLimitGlobal, OutRateLimitGlobal) \
  X(Icmp, IcmpOutRateLimitHost, OutRateLimitHost)     \
  X(Icmp, IcmpOutDestUnreachs, OutDestUnreachs)       \
  X(Icmp, IcmpOutTimeExcds, OutTimeExcds)             \
  X(Icmp, IcmpOutParmProbs, OutParmProbs)             \
  X(Icmp, IcmpOutSrcQuenchs, OutSrcQuenchs)           \
  X(Icmp, IcmpOutRedirects, OutRedirects)             \
  X(Icmp, IcmpOutEchos, OutEchos)                     \
  X(Icmp, IcmpOutEchoReps, OutEchoReps)               \
  X(Icmp, IcmpOutTimestamps, OutTimestamps)           \
  X(Icmp, IcmpOutTimestampReps, OutTimestampReps)     \
  X(Icmp, IcmpOutAddrMasks, OutAddrMasks)             \
  X(Icmp, IcmpOutAddrMaskReps, OutAddrMaskReps)

// The rest: Tcp, Udp, UdpLite, then /proc/net/netstat (TcpExt, IpExt).
#define USTCP_COUNTERS_AFTER_ICMPMSG(X)                           \
  X(Tcp, ActiveOpens, ActiveOpens)                                \
  X(Tcp, PassiveOpens, PassiveOpens)                              \
  X(Tcp, AttemptFails, AttemptFails)                              \
  X(Tcp, EstabResets, EstabResets)                                \
  X(Tcp, InSegs, InSegs)                                          \
  X(Tcp, OutSegs, OutSegs)                                        \
  X(Tcp, RetransSegs, RetransSegs)                                \
  X(Tcp, InErrs, InErrs)                                          \
  X(Tcp, OutRsts, OutRsts)                                        \
  X(Tcp, InCsumErrors, InCsumErrors)                              \
  X(Udp, UdpInDatagrams, InDatagrams)                             \
  X(Udp, UdpNoPorts, NoPorts)                                     \
  X(Udp, UdpInErrors, InErrors)                                   \
  X(Udp, UdpOutDatagrams, OutDatagrams)                           \
  X(Udp, UdpRcvbufErrors, RcvbufErrors)                           \
  X(Udp, UdpSndbufErrors, SndbufErrors)                           \
  X(Udp, UdpInCsumErrors, InCsumErrors)                           \
  X(Udp, UdpIgnoredMulti, IgnoredMulti)                           \
  X(Udp, UdpMemErrors, MemErrors)                                 \
  X(UdpLite, UdpLiteInDatagrams, InDatagrams)                     \
  X(UdpLite, UdpLiteNoPorts, NoPorts)                             \
  X(UdpLite, UdpLiteInErrors, InErrors)                           \
  X(UdpLite, UdpLiteOutDatagrams, OutDatagrams)                   \
  X(UdpLite, UdpLiteRcvbufErrors, RcvbufErrors)                   \
  X(UdpLite, UdpLiteSndbufErrors, SndbufErrors)                   \
  X(UdpLite, UdpLiteInCsumErrors, InCsumErrors)                   \
  X(UdpLite, UdpLiteIgnoredMulti, IgnoredMulti)                   \
  X(UdpLite, UdpLiteMemErrors, MemErrors)                         \
  X(TcpExt, SyncookiesSent, SyncookiesSent)                       \
  X(TcpExt, SyncookiesRecv, SyncookiesRecv)                       \
  X(TcpExt, SyncookiesFailed, SyncookiesFailed)                   \
  X(TcpExt, EmbryonicRsts, EmbryonicRsts)                         \
  X(TcpExt, PruneCalled, PruneCalled)                             \
  X(TcpExt, RcvPruned, RcvPruned)                                 \
  X(TcpExt, OfoPruned, OfoPruned)                                 \
  X(TcpExt, OutOfWindowIcmps, OutOfWindowIcmps)                   \
  X(TcpExt, LockDroppedIcmps, LockDroppedIcmps)                   \
  X(TcpExt, ArpFilter, ArpFilter)                                 \
  X(TcpExt, TW, TW)                                               \
  X(TcpExt, TWRecycled, TWRecycled)                               \
  X(TcpExt, TWKilled, TWKilled)                                   \
  X(TcpExt, PAWSActive, PAWSActive)                               \
  X(TcpExt, PAWSEstab, PAWSEstab)                                 \
  X(TcpExt, BeyondWindow, BeyondWindow)                           \
  X(TcpExt, TSEcrRejected, TSEcrRejected)                         \
  X(TcpExt, PAWSOldAck, PAWSOldAck)                               \
  X(TcpExt, PAWSTimewait, PAWSTimewait)                           \
  X(TcpExt, DelayedACKs, DelayedACKs)                             \
  X(TcpExt, DelayedACKLocked, DelayedACKLocked)                   \
  X(TcpExt, DelayedACKLost, DelayedACKLost)                       \
  X(TcpExt, ListenOverflows, ListenOverflows)                     \
  X(TcpExt, ListenDrops, ListenDrops)                             \
  X(TcpExt, TCPHPHits, TCPHPHits)                                 \
  X(TcpExt, TCPPureAcks, TCPPureAcks)                             \
  X(TcpExt, TCPHPAcks, TCPHPAcks)                                 \
  X(TcpExt, TCPRenoRecovery, TCPRenoRecovery)                     \
  X(TcpExt, TCPSackRecovery, TCPSackRecovery)                     \
  X(TcpExt, TCPSACKReneging, TCPSACKReneging)                     \
  X(TcpExt, TCPSACKReorder, TCPSACKReorder)                       \
  X(TcpExt, TCPRenoReorder, TCPRenoReorder)                       \
  X(TcpExt, TCPTSReorder, TCPTSReorder)                           \
  X(TcpExt, TCPFullUndo, TCPFullUndo)                             \
  X(TcpExt, TCPPartialUndo, TCPPartialUndo)                       \
  X(TcpExt, TCPDSACKUndo, TCPDSACKUndo)                           \
  X(TcpExt, TCPLossUndo, TCPLossUndo)                             \
  X(TcpExt, TCPLostRetransmit, TCPLostRetransmit)                 \
  X(TcpExt, TCPRenoFailures, TCPRenoFailures)                     \
  X(TcpExt, TCPSackFailures, TCPSackFailures)                     \
  X(TcpExt, TCPLossFailures, TCPLossFailures)                     \
  X(TcpExt, TCPFastRetrans, TCPFastRetrans)                       \
  X(TcpExt, TCPSlowStartRetrans, TCPSlowStartRetrans)             \
  X(TcpExt, TCPTimeouts, TCPTimeouts)                             \
  X(TcpExt, TCPLossProbes, TCPLossProbes)                         \
  X(TcpExt, TCPLossProbeRecovery, TCPLossProbeRecovery)           \
  X(TcpExt, TCPRenoRecoveryFail, TCPRenoRecoveryFail)             \
  X(TcpExt, TCPSackRecoveryFail, TCPSackRecoveryFail)             \
  X(TcpExt, TCPRcvCollapsed, TCPRcvCollapsed)                     \
  X(TcpExt, TCPBacklogCoalesce, TCPBacklogCoalesce)               \
  X(TcpExt, TCPDSACKOldSent, TCPDSACKOldSent)                     \
  X(TcpExt, TCPDSACKOfoSent, TCPDSACKOfoSent)                     \
  X(TcpExt, TCPDSACKRecv, TCPDSACKRecv)                           \
  X(TcpExt, TCPDSACKOfoRecv, TCPDSACKOfoRecv)                     \
  X(TcpExt, TCPAbortOnData, TCPAbortOnData)                       \
  X(TcpExt, TCPAbortOnClose, TCPAbortOnClose)                     \
  X(TcpExt, TCPAbortOnMemory, TCPAbortOnMemory)                   \
  X(TcpExt, TCPAbortOnTimeout, TCPAbortOnTimeout)                 \
  X(TcpExt, TCPAbortOnLinger, TCPAbortOnLinger)                   \
  X(TcpExt, TCPAbortFailed, TCPAbortFailed)                       \
  X(TcpExt, TCPMemoryPressures, TCPMemoryPressures)               \
  X(TcpExt, TCPMemoryPressuresChrono, TCPMemoryPressuresChrono)   \
  X(TcpExt, TCPSACKDiscard, TCPSACKDiscard)                       \
  X(TcpExt, TCPDSACKIgnoredOld, TCPDSACKIgnoredOld)               \
  X(TcpExt, TCPDSACKIgnoredNoUndo, TCPDSACKIgnoredNoUndo)         \
  X(TcpExt, TCPSpuriousRTOs, TCPSpuriousRTOs)                     \
  X(TcpExt, TCPMD5NotFound, TCPMD5NotFound)                       \
  X(TcpExt, TCPMD5Unexpected, TCPMD5Unexpected)                   \
  X(TcpExt, TCPMD5Failure, TCPMD5Failure)                         \
  X(TcpExt, TCPSackShifted, TCPSackShifted)                       \
  X(TcpExt, TCPSackMerged, TCPSackMerged)                         \
  X(TcpExt, TCPSackShiftFallback, TCPSackShiftFallback)           \
  X(TcpExt, TCPBacklogDrop, TCPBacklogDrop)                       \
  X(TcpExt, PFMemallocDrop, PFMemallocDrop)                       \
  X(TcpExt, TCPMinTTLDrop, TCPMinTTLDrop)                         \
  X(TcpExt, TCPDeferAcceptDrop, TCPDeferAcceptDrop)               \
  X(TcpExt, IPReversePathFilter, IPReversePathFilter)             \
  X(TcpExt, TCPTimeWaitOverflow, TCPTimeWaitOverflow)             \
  X(TcpExt, TCPReqQFullDoCookies, TCPReqQFullDoCookies)           \
  X(TcpExt, TCPReqQFullDrop, TCPReqQFullDrop)                     \
  X(TcpExt, TCPRetransFail, TCPRetransFail)                       \
  X(TcpExt, TCPRcvCoalesce, TCPRcvCoalesce)                       \
  X(TcpExt, TCPOFOQueue, TCPOFOQueue)                             \
  X(TcpExt, TCPOFODrop, TCPOFODrop)                               \
  X(TcpExt, TCPOFOMerge, TCPOFOMerge)                             \
  X(TcpExt, TCPChallengeACK, TCPChallengeACK)                     \
  X(TcpExt, TCPSYNChallenge, TCPSYNChallenge)                     \
  X(TcpExt, TCPFastOpenActive, TCPFastOpenActive)                 \
  X(TcpExt, TCPFastOpenActiveFail, TCPFastOpenActiveFail)         \
  X(TcpExt, TCPFastOpenPassive, TCPFastOpenPassive)               \
  X(TcpExt, TCPFastOpenPassiveFail, TCPFastOpenPassiveFail)       \
  X(TcpExt, TCPFastOpenListenOverflow, TCPFastOpenListenOverflow) \
  X(TcpExt, TCPFastOpenCookieReqd, TCPFastOpenCookieReqd)         \
  X(TcpExt, TCPFastOpenBlackhole, TCPFastOpenBlackhole)           \
  X(TcpExt, TCPSpuriousRtxHostQueues, TCPSpuriousRtxHostQueues)   \
  X(TcpExt, BusyPollRxPackets, BusyPollRxPackets)                 \
  X(TcpExt, TCPAutoCorking, TCPAutoCorking)                       \
  X(TcpExt, TCPFromZeroWindowAdv, TCPFromZeroWindowAdv)           \
  X(TcpExt, TCPToZeroWindowAdv, TCPToZeroWindowAdv)               \
  X(TcpExt, TCPWantZeroWindowAdv, TCPWantZeroWindowAdv)           \
  X(TcpExt, TCPSynRetrans, TCPSynRetrans)                         \
  X(TcpExt, TCPOrigDataSent, TCPOrigDataSent)                     \
  X(TcpExt, TCPHystartTrainDetect, TCPHystartTrainDetect)         \
  X(TcpExt, TCPHystartTrainCwnd, TCPHystartTrainCwnd)             \
  X(TcpExt, TCPHystartDelayDetect, TCPHystartDelayDetect)         \
  X(TcpExt, TCPHystartDelayCwnd, TCPHystartDelayCwnd)             \
  X(TcpExt, TCPACKSkippedSynRecv, TCPACKSkippedSynRecv)           \
  X(TcpExt, TCPACKSkippedPAWS, TCPACKSkippedPAWS)                 \
  X(TcpExt, TCPACKSkippedSeq, TCPACKSkippedSeq)                   \
  X(TcpExt, TCPACKSkippedFinWait2, TCPACKSkippedFinWait2)         \
  X(TcpExt, TCPACKSkippedTimeWait, TCPACKSkippedTimeWait)         \
  X(TcpExt, TCPACKSkippedChallenge, TCPACKSkippedChallenge)       \
  X(TcpExt, TCPWinProbe, TCPWinProbe)                             \
  X(TcpExt, TCPKeepAlive, TCPKeepAlive)                           \
  X(TcpExt, TCPMTUPFail, TCPMTUPFail)                             \
  X(TcpExt, TCPMTUPSuccess, TCPMTUPSuccess)                       \
  X(TcpExt, TCPDelivered, TCPDelivered)                           \
  X(TcpExt, TCPDeliveredCE, TCPDeliveredCE)                       \
  X(TcpExt, TCPAckCompressed, TCPAckCompressed)                   \
  X(TcpExt, TCPZeroWindowDrop, TCPZeroWindowDrop)                 \
  X(TcpExt, TCPRcvQDrop, TCPRcvQDrop)                             \
  X(TcpExt, TCPWqueueTooBig, TCPWqueueTooBig)                     \
  X(TcpExt, TCPFastOpenPassiveAltKey, TCPFastOpenPassiveAltKey)   \
  X(TcpExt, TcpTimeoutRehash, TcpTimeoutRehash)                   \
  X(TcpExt, TcpDuplicateDataRehash, TcpDuplicateDataRehash)       \
  X(TcpExt, TCPDSACKRecvSegs, TCPDSACKRecvSegs)                   \
  X(TcpExt, TCPDSACKIgnoredDubious, TCPDSACKIgnoredDubious)       \
  X(TcpExt, TCPMigrateReqSuccess, TCPMigrateReqSuccess)           \
  X(TcpExt, TCPMigrateReqFailure, TCPMigrateReqFailure)           \
  X(TcpExt, TCPPLBRehash, TCPPLBRehash)                           \
  X(TcpExt, TCPAORequired, TCPAORequired)                         \
  X(TcpExt, TCPAOBad, TCPAOBad)                                   \
  X(TcpExt, TCPAOKeyNotFound, TCPAOKeyNotFound)                   \
  X(TcpExt, TCPAOGood, TCPAOGood)                                 \
  X(TcpExt, TCPAODroppedIcmps, TCPAODroppedIcmps)                 \
  X(IpExt, IpExtInNoRoutes, InNoRoutes)                           \
  X(IpExt, IpExtInTruncatedPkts, InTruncatedPkts)                 \
  X(IpExt, IpExtInMcastPkts, InMcastPkts)                         \
  X(IpExt, IpExtOutMcastPkts, OutMcastPkts)                       \
  X(IpExt, IpExtInBcastPkts, InBcastPkts)                         \
  X(IpExt, IpExtOutBcastPkts, OutBcastPkts)                       \
  X(IpExt, IpExtInOctets, InOctets)                               \
  X(IpExt, IpExtOutOctets, OutOctets)                             \
  X(IpExt, IpExtInMcastOctets, InMcastOctets)                     \
  X(IpExt, IpExtOutMcastOctets, OutMcastOctets)                   \
  X(IpExt, IpExtInBcastOctets, InBcastOctets)                     \
  X(IpExt, IpExtOutBcastOctets, OutBcastOctets)                   \
  X(IpExt, IpExtInCsumErrors, InCsumErrors)                       \
  X(IpExt, IpExtInNoECTPkts, InNoECTPkts)                         \
  X(IpExt, IpExtInECT1Pkts, InECT1Pkts)                           \
  X(IpExt, IpExtInECT0Pkts, InECT0Pkts)                           \
  X(IpExt, IpExtInCEPkts, InCEPkts)                               \
  X(IpExt, IpExtReasmOverlaps, ReasmOverlaps)

struct Counters {
#define USTCP_COUNTER_FIELD(group, field, name) uint64_t field = 0;
  USTCP_COUNTERS(USTCP_COUNTER_FIELD)
#undef USTCP_COUNTER_FIELD

  // IcmpMsg: InTypeN / OutTypeN, messages of ICMP type N received and sent.
  std::array<uint64_t, 256> IcmpMsgInType{};
  std::array<uint64_t, 256> IcmpMsgOutType{};

  // One ICMP message of `type` received or sent: IcmpMsg and, for the types RFC 1213 names,
  // the Icmp per-type counter (Linux derives those from IcmpMsg: icmpmibmap in proc.c).
  void count_icmp_in(uint8_t type) {
    ++IcmpMsgInType[type];
    if (uint64_t* f = icmp_type_field(type, /*out=*/false)) ++*f;
  }
  void count_icmp_out(uint8_t type) {
    ++IcmpMsgOutType[type];
    if (uint64_t* f = icmp_type_field(type, /*out=*/true)) ++*f;
  }

  // Calls f(group, name, value) (string_views) for every counter in /proc order: the snmp groups
  // (Ip, Icmp, IcmpMsg, Tcp, Udp, UdpLite) before the netstat groups (TcpExt, IpExt), as nstat
  // lists them. IcmpMsg entries are visited only when nonzero, as icmpmsg_put() prints them.
  template <typename F>
  void for_each(F&& f) const {
#define USTCP_COUNTER_VISIT(group, field, name) f(std::string_view(#group), #name, field);
    USTCP_COUNTERS_BEFORE_ICMPMSG(USTCP_COUNTER_VISIT)
    for_each_icmp_msg(f);
    USTCP_COUNTERS_AFTER_ICMPMSG(USTCP_COUNTER_VISIT)
#undef USTCP_COUNTER_VISIT
  }

  // Calls f("IcmpMsg", "InTypeN" or "OutTypeN", value) for each nonzero IcmpMsg entry, In
  // types first, each in type order (icmpmsg_put()).
  template <typename F>
  void for_each_icmp_msg(F&& f) const {
    for (int out = 0; out < 2; ++out) {
      const auto& a = out ? IcmpMsgOutType : IcmpMsgInType;
      for (int type = 0; type < 256; ++type) {
        if (a[type] == 0) continue;
        char name[16];
        const std::string_view prefix = out ? "OutType" : "InType";
        prefix.copy(name, prefix.size());
        char* end = std::to_chars(name + prefix.size(), name + sizeof name, type).ptr;
        f(std::string_view("IcmpMsg"), std::string_view(name, end), a[type]);
      }
    }
  }

 private:
  // icmpmibmap (net/ipv4/proc.c): the ICMP types with a counter of their own in Icmp.
  uint64_t* icmp_type_field(uint8_t type, bool out) {
    switch (type) {
      case 0:
        return out ? &IcmpOutEchoReps : &IcmpInEchoReps;
      case 3:
        return out ? &IcmpOutDestUnreachs : &IcmpInDestUnreachs;
      case 4:
        return out ? &IcmpOutSrcQuenchs : &IcmpInSrcQuenchs;
      case 5:
        return out ? &IcmpOutRedirects : &IcmpInRedirects;
      case 8:
        return out ? &IcmpOutEchos : &IcmpInEchos;
      case 11:
        return out ? &IcmpOutTimeExcds : &IcmpInTimeExcds;
      case 12:
        return out ? &IcmpOutParmProbs : &IcmpInParmProbs;
      case 13:
        return out ? &IcmpOutTimestamps : &IcmpInTimestamps;
      case 14:
        return out ? &IcmpOutTimestampReps : &IcmpInTimestampReps;
      case 17:
        return out ? &IcmpOutAddrMasks : &IcmpInAddrMasks;
      case 18:
        return out ? &IcmpOutAddrMaskReps : &IcmpInAddrMaskReps;
      default:
        return nullptr;
    }
  }
};

}  // namespace ustcp::tcp
