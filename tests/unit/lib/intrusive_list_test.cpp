// lib::IntrusiveList (include/tessera/lib/intrusive_list.hpp): order, removal from any
// position, membership of two lists at once, and constant evaluation.

#include <doctest/doctest.h>

#include <tessera/lib/intrusive_list.hpp>

namespace {

struct A {};
struct B {};
struct Item : tessera::lib::ListNode<A>, tessera::lib::ListNode<B> {
  int value = 0;
};
using ListA = tessera::lib::IntrusiveList<Item, A>;
using ListB = tessera::lib::IntrusiveList<Item, B>;

template <class List>
int sum_in_order(const List& list) {  // digits in list order: 1,2,3 -> 123
  int n = 0;
  for (Item* i = list.front(); i; i = List::next(i)) n = n * 10 + i->value;
  return n;
}

constexpr int constant_evaluation() {
  Item items[3];
  ListA list;
  for (int i = 0; i < 3; ++i) {
    items[i].value = i + 1;
    list.push_back(&items[i]);
  }
  list.remove(&items[1]);
  list.push_front(&items[1]);
  int n = 0;
  while (Item* i = list.pop_front()) n = n * 10 + i->value;
  return n;
}
static_assert(constant_evaluation() == 213);

TEST_CASE("push, pop, remove anywhere, insert_before") {
  Item items[4];
  ListA list;
  CHECK(list.empty());
  for (int i = 0; i < 4; ++i) {
    items[i].value = i + 1;
    list.push_back(&items[i]);
  }
  CHECK(list.size() == 4);
  CHECK(sum_in_order(list) == 1234);
  list.remove(&items[0]);  // head
  list.remove(&items[3]);  // tail
  CHECK(sum_in_order(list) == 23);
  list.insert_before(&items[2], &items[3]);
  CHECK(sum_in_order(list) == 243);
  CHECK(ListA::prev(&items[2]) == &items[3]);
  CHECK(list.back() == &items[2]);
  CHECK(list.contains(&items[3]));
  CHECK_FALSE(list.contains(&items[0]));
  CHECK(list.pop_front() == &items[1]);
  CHECK(list.pop_front() == &items[3]);
  CHECK(list.pop_front() == &items[2]);
  CHECK(list.pop_front() == nullptr);
  CHECK(list.empty());
  CHECK(list.size() == 0);
  CHECK_FALSE(items[2].tessera::lib::ListNode<A>::linked());
}

TEST_CASE("one element on two lists through two nodes") {
  Item items[2];
  items[0].value = 1;
  items[1].value = 2;
  ListA a;
  ListB b;
  a.push_back(&items[0]);
  a.push_back(&items[1]);
  b.push_back(&items[1]);
  b.push_back(&items[0]);
  CHECK(sum_in_order(a) == 12);
  CHECK(sum_in_order(b) == 21);
  a.remove(&items[1]);
  CHECK(sum_in_order(a) == 1);
  CHECK(sum_in_order(b) == 21);
  CHECK(b.contains(&items[1]));
  CHECK_FALSE(a.contains(&items[1]));
}

}  // namespace
