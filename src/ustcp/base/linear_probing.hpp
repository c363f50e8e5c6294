// The two steps of open addressing with linear probing (power-of-two capacity) that do not
// depend on what a slot holds, shared by base/flat_hash_map.hpp and stack/demux_table.hpp.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace ustcp {

// Deletion by backward shift: the slot at `hole` was just vacated (its member is gone, the
// caller has not marked it free yet). Later members of the probe run move back into the
// hole when it lies on their way from their home slot, so every run stays contiguous and no
// tombstone is needed. Returns the slot left free at the end, for the caller to mark.
// used(slot) says whether a slot holds a member, home(slot) is that member's home index.
template <typename Slot, typename Used, typename Home>
size_t shift_back(std::vector<Slot>& slots, size_t mask, size_t hole, const Used& used,
                  const Home& home) {
  for (size_t j = (hole + 1) & mask;; j = (j + 1) & mask) {
    const Slot& s = slots[j];
    if (!used(s)) return hole;
    // Is the hole cyclically within [home, j)? Then s may move back to it.
    if (((j - home(s)) & mask) >= ((j - hole) & mask)) {
      slots[hole] = s;
      hole = j;
    }
  }
}

// Doubles the array (16 slots the first time) with every slot `empty`, sets `mask` for it,
// and places the members of the old array again with place(slot).
template <typename Slot, typename Used, typename Place>
void grow_slots(std::vector<Slot>& slots, size_t& mask, const Slot& empty, const Used& used,
                const Place& place) {
  std::vector<Slot> old = std::move(slots);
  const size_t n = old.empty() ? 16 : old.size() * 2;
  slots.assign(n, empty);
  mask = n - 1;
  for (const Slot& s : old) {
    if (used(s)) place(s);
  }
}

}  // namespace ustcp
