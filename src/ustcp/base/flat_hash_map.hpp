// A hash map in one flat array: open addressing with linear probing, power-of-two capacity,
// at most 3/4 full, deletion by backward shift (no tombstones, so lookups never slow down
// with churn). A lookup is one hash and, typically, one cache line: the demultiplexing table
// of a Stack with a million connections must not chase a heap node per entry, as
// std::unordered_map does (three dependent loads per find).
//
// Keys and values are stored inline and must be cheap to copy. What find() and operator[]
// return is valid until the next insert or erase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "ustcp/base/linear_probing.hpp"

namespace ustcp {

template <typename Key, typename Value, typename Hash>
class FlatHashMap {
 public:
  explicit FlatHashMap(Hash hash = {}) : hash_(hash) {}

  Value* find(const Key& k) {
    if (size_ == 0) return nullptr;
    for (size_t i = home(k);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == k) return &s.value;
    }
  }
  const Value* find(const Key& k) const { return const_cast<FlatHashMap*>(this)->find(k); }
  bool contains(const Key& k) const { return find(k) != nullptr; }

  void insert_or_assign(const Key& k, const Value& v) {
    if (Value* existing = find(k)) {
      *existing = v;
      return;
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    place(k, v);
    ++size_;
  }

  // The value of k, inserted as Value{} if k is absent (as std::unordered_map's).
  Value& operator[](const Key& k) {
    if (Value* existing = find(k)) return *existing;
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    ++size_;
    return place(k, Value{});
  }

  // Returns whether the key was there.
  bool erase(const Key& k) {
    if (size_ == 0) return false;
    size_t i = home(k);
    for (;; i = (i + 1) & mask_) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == k) break;
    }
    i = shift_back(
        slots_, mask_, i, [](const Slot& s) { return s.used; },
        [this](const Slot& s) { return home(s.key); });
    slots_[i].used = false;
    --size_;
    return true;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Slots allocated (for memory accounting).
  size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    Key key{};
    Value value{};
    bool used = false;
  };

  size_t home(const Key& k) const { return static_cast<size_t>(hash_(k)) & mask_; }

  Value& place(const Key& k, const Value& v) {
    size_t i = home(k);
    while (slots_[i].used) i = (i + 1) & mask_;
    slots_[i] = Slot{k, v, true};
    return slots_[i].value;
  }

  void grow() {
    grow_slots(
        slots_, mask_, Slot{}, [](const Slot& s) { return s.used; },
        [this](const Slot& s) { place(s.key, s.value); });
  }

  Hash hash_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace ustcp
