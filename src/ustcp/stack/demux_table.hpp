// The demultiplexing table of a Stack: which connection, SYN_RECV request or TIME_WAIT
// record a 4-tuple belongs to (Linux's established hash, inet_ehash_bucket).
//
// A slot is 8 bytes: the 4-tuple's 32-bit hash and a reference (kind, index) to the object.
// The 4-tuple itself lives in the object, which is where Linux's ehash compares it too (in
// the socket: skc_addrpair, skc_portpair). A lookup compares hashes in the slots and reads
// an object only when a hash matches; a hit goes on to that object anyway, and a miss (the
// SYN of a new connection, a free 4-tuple connect() tries) reads no object.
//
// Why not FlatHashMap<FourTuple, ...>: its slots held the 4-tuple, 28 bytes each. With a
// million connections the table is larger than the caches either way and every first
// lookup of a 4-tuple misses; 8-byte slots make it 16 MB instead of 56 MB (2^21 slots), a
// probe run stays within one cache line instead of straddling two, and fewer pages mean
// fewer TLB misses (bench/README.md, "ustcp bench million").
//
// Open addressing with linear probing, power-of-two capacity, at most 3/4 full, deletion
// by backward shift (base/linear_probing.hpp; a slot's home comes from its stored hash, no
// object is read), as base/flat_hash_map.hpp. Every reference in the table must name a live object
// whose 4-tuple is the one it was filed under: the callers erase an entry before its object goes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "ustcp/base/linear_probing.hpp"
#include "ustcp/tcp/four_tuple.hpp"

namespace ustcp::stack {

enum class DemuxKind : uint8_t { Conn, Request, TimeWait };

struct DemuxRef {
  DemuxKind kind = DemuxKind::Conn;
  uint32_t index = 0;  // below 2^30
  bool operator==(const DemuxRef&) const = default;
};

// Hash: tcp::FourTupleHash, or a test's. The table keeps its low 32 bits.
template <typename Hash>
class BasicDemuxTable {
 public:
  explicit BasicDemuxTable(Hash hash = {}) : hash_(hash) {}

  // tuple_of(DemuxRef) -> the 4-tuple of the object the reference names.
  template <typename TupleOf>
  std::optional<DemuxRef> find(const tcp::FourTuple& t, const TupleOf& tuple_of) const {
    const Slot* s = const_cast<BasicDemuxTable*>(this)->slot_of(t, hash32(t), tuple_of);
    if (s == nullptr) return std::nullopt;
    return unpack(s->ref);
  }
  template <typename TupleOf>
  bool contains(const tcp::FourTuple& t, const TupleOf& tuple_of) const {
    return find(t, tuple_of).has_value();
  }

  // Files t under r, or refers t's entry to r if t is filed already.
  template <typename TupleOf>
  void insert_or_assign(const tcp::FourTuple& t, DemuxRef r, const TupleOf& tuple_of) {
    const uint32_t h = hash32(t);
    if (Slot* s = slot_of(t, h, tuple_of)) {
      s->ref = pack(r);
      return;
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    place(Slot{h, pack(r)});
    ++size_;
  }

  // Returns whether t was filed.
  template <typename TupleOf>
  bool erase(const tcp::FourTuple& t, const TupleOf& tuple_of) {
    Slot* found = slot_of(t, hash32(t), tuple_of);
    if (found == nullptr) return false;
    size_t i = static_cast<size_t>(found - slots_.data());
    i = shift_back(
        slots_, mask_, i, [](const Slot& s) { return s.ref != kEmpty; },
        [this](const Slot& s) { return s.hash & mask_; });
    slots_[i].ref = kEmpty;
    --size_;
    return true;
  }

  size_t size() const { return size_; }
  // Slots allocated (for memory accounting).
  size_t capacity() const { return slots_.size(); }
  static constexpr size_t kSlotBytes = 8;

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;  // kind 3, which no reference has
  struct Slot {
    uint32_t hash = 0;
    uint32_t ref = kEmpty;  // kind << 30 | index
  };
  static_assert(sizeof(Slot) == kSlotBytes);

  static uint32_t pack(DemuxRef r) { return static_cast<uint32_t>(r.kind) << 30 | r.index; }
  static DemuxRef unpack(uint32_t v) {
    return DemuxRef{static_cast<DemuxKind>(v >> 30), v & ((uint32_t{1} << 30) - 1)};
  }
  uint32_t hash32(const tcp::FourTuple& t) const { return static_cast<uint32_t>(hash_(t)); }

  template <typename TupleOf>
  Slot* slot_of(const tcp::FourTuple& t, uint32_t h, const TupleOf& tuple_of) {
    if (size_ == 0) return nullptr;
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.ref == kEmpty) return nullptr;
      if (s.hash == h && tuple_of(unpack(s.ref)) == t) return &s;
    }
  }

  void place(Slot s) {
    size_t i = s.hash & mask_;
    while (slots_[i].ref != kEmpty) i = (i + 1) & mask_;
    slots_[i] = s;
  }

  void grow() {
    grow_slots(
        slots_, mask_, Slot{}, [](const Slot& s) { return s.ref != kEmpty; },
        [this](const Slot& s) { place(s); });
  }

  Hash hash_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

using DemuxTable = BasicDemuxTable<tcp::FourTupleHash>;

}  // namespace ustcp::stack
