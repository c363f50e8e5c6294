// Objects addressed by a small index (a timer node's owner, a demux entry) that stays
// valid while the object lives; freed indices are reused. Each object is its own
// allocation, so its address is stable too (timer nodes are intrusive).
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace ustcp {

template <typename T>
class Slab {
 public:
  // Constructs a T at a free index and returns the index.
  template <typename... Args>
  uint32_t emplace(Args&&... args) {
    uint32_t i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
    } else {
      i = static_cast<uint32_t>(items_.size());
      items_.emplace_back();
    }
    items_[i] = std::make_unique<T>(std::forward<Args>(args)...);
    ++live_;
    return i;
  }
  void erase(uint32_t i) {
    items_[i].reset();
    free_.push_back(i);
    --live_;
  }
  // Null for a freed index.
  const std::unique_ptr<T>& operator[](uint32_t i) const { return items_[i]; }
  // Live objects.
  size_t size() const { return live_; }
  // One past the highest index ever used (for arrays kept beside the slab).
  size_t capacity() const { return items_.size(); }
  // Every slot, freed ones null.
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<std::unique_ptr<T>> items_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

}  // namespace ustcp
