#pragma once
// lib::IntrusiveList<T, Tag> — a doubly linked list whose links live in the elements
// (T derives from lib::ListNode<Tag>, once per list it can be on at the same time). No
// allocation, O(1) push, pop and removal of any element; an element knows which list holds
// it. Used by the schedulers (ready queue, wait queues, sleepers). constexpr-constructible, so
// a global list (a mutex's wait queue) needs no constructor at boot. Not thread-safe: the
// owner serialises access. The operations are forced inline: each is a few instructions, and
// a scheduler's switch path is made of them (at -Os GCC would call them out of line).

#include <cstddef>

namespace tessera::lib {

struct DefaultListTag {};

template <class Tag = DefaultListTag>
struct ListNode {
  ListNode* next_ = nullptr;
  ListNode* prev_ = nullptr;
  const void* list_ = nullptr;  // the list holding this node, or nullptr

  constexpr bool linked() const { return list_ != nullptr; }
  constexpr bool linked_to(const void* list) const { return list_ == list; }
};

template <class T, class Tag = DefaultListTag>
class IntrusiveList {
  using Node = ListNode<Tag>;

 public:
  constexpr IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;  // the nodes point at this object
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  constexpr bool empty() const { return head_ == nullptr; }
  constexpr std::size_t size() const { return size_; }
  constexpr T* front() const { return head_ ? as_t(head_) : nullptr; }
  constexpr T* back() const { return tail_ ? as_t(tail_) : nullptr; }
  static constexpr T* next(T* element) {
    Node* n = node(element)->next_;
    return n ? as_t(n) : nullptr;
  }
  static constexpr T* prev(T* element) {
    Node* n = node(element)->prev_;
    return n ? as_t(n) : nullptr;
  }
  constexpr bool contains(const T* element) const { return node(element)->linked_to(this); }

  [[gnu::always_inline]] constexpr void push_back(T* element) { insert_before(nullptr, element); }
  constexpr void push_front(T* element) { insert_before(front(), element); }

  // Inserts `element` before `position` (nullptr: at the end). `element` must be unlinked.
  [[gnu::always_inline]] constexpr void insert_before(T* position, T* element) {
    Node* n = node(element);
    Node* at = position ? node(position) : nullptr;
    n->next_ = at;
    n->prev_ = at ? at->prev_ : tail_;
    (n->prev_ ? n->prev_->next_ : head_) = n;
    (at ? at->prev_ : tail_) = n;
    n->list_ = this;
    ++size_;
  }

  [[gnu::always_inline]] constexpr T* pop_front() {
    if (!head_) return nullptr;
    T* first = as_t(head_);
    remove(first);
    return first;
  }

  // Unlinks `element`, which must be on this list.
  [[gnu::always_inline]] constexpr void remove(T* element) {
    Node* n = node(element);
    (n->prev_ ? n->prev_->next_ : head_) = n->next_;
    (n->next_ ? n->next_->prev_ : tail_) = n->prev_;
    n->next_ = n->prev_ = nullptr;
    n->list_ = nullptr;
    --size_;
  }

 private:
  static constexpr Node* node(T* element) { return static_cast<Node*>(element); }
  static constexpr const Node* node(const T* element) { return static_cast<const Node*>(element); }
  static constexpr T* as_t(Node* n) { return static_cast<T*>(n); }

  Node* head_ = nullptr;
  Node* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace tessera::lib
