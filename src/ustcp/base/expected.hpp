// Errors are values: a small std::expected for C++20 (GCC 12 has std::expected only in
// C++23 mode). Same names and semantics as the standard one for the parts we use.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace ustcp {

template <typename E>
struct Unexpected {
  E error;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename E>
constexpr Unexpected<E> unexpected(E e) {
  return Unexpected<E>{std::move(e)};
}

template <typename T, typename E>
class Expected {
 public:
  constexpr Expected(T v) : v_(std::in_place_index<0>, std::move(v)) {}                    // NOLINT
  constexpr Expected(Unexpected<E> u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  constexpr bool has_value() const { return v_.index() == 0; }
  constexpr explicit operator bool() const { return has_value(); }
  constexpr T& value() {
    assert(has_value());
    return std::get<0>(v_);
  }
  constexpr const T& value() const {
    assert(has_value());
    return std::get<0>(v_);
  }
  constexpr T& operator*() { return value(); }
  constexpr const T& operator*() const { return value(); }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }
  constexpr const E& error() const {
    assert(!has_value());
    return std::get<1>(v_);
  }
  constexpr T value_or(T other) const { return has_value() ? value() : other; }

 private:
  std::variant<T, E> v_;
};

// Expected<void, E>: success carries nothing.
template <typename E>
class Expected<void, E> {
 public:
  constexpr Expected() = default;
  constexpr Expected(Unexpected<E> u) : ok_(false), e_(std::move(u.error)) {}  // NOLINT
  constexpr bool has_value() const { return ok_; }
  constexpr explicit operator bool() const { return ok_; }
  constexpr const E& error() const {
    assert(!ok_);
    return e_;
  }

 private:
  bool ok_ = true;
  E e_{};
};

}  // namespace ustcp
