#pragma once
// The sentences of Kernel<Alloc, Sched, Net, Block, Platform>'s argument checks (its
// static_asserts), one per slot, plus one for a platform of another build (foreign.hpp).
// GCC reports a class template's static_assert where the type is first used (TESSERA_MAIN's
// line: "required from here"); the sentence says which argument of the `using` line is wrong.

#include "tessera/platform/foreign.hpp"  // TESSERA_BUILD_PLATFORM

#define TESSERA_DETAIL_SLOT_ALLOC                                                                          \
  "tessera::Kernel<Alloc, Sched, Net, Block, Platform>: the 1st argument (Alloc) does not model "          \
  "tessera::api::Allocator; pass an allocator component such as tessera::alloc::Region<>"
#define TESSERA_DETAIL_SLOT_SCHED                                                                          \
  "tessera::Kernel<Alloc, Sched, Net, Block, Platform>: the 2nd argument (Sched) does not model "          \
  "tessera::api::Scheduler; pass a scheduler component such as tessera::sched::None"
#define TESSERA_DETAIL_SLOT_NET                                                                            \
  "tessera::Kernel<Alloc, Sched, Net, Block, Platform>: the 3rd argument (Net) does not model "            \
  "tessera::api::NetDevice; pass a network component such as tessera::net::None"
#define TESSERA_DETAIL_SLOT_BLOCK                                                                          \
  "tessera::Kernel<Alloc, Sched, Net, Block, Platform>: the 4th argument (Block) does not model "          \
  "tessera::api::BlockDevice; pass a block component such as tessera::block::None"
#define TESSERA_DETAIL_SLOT_FOREIGN_PLATFORM                                                               \
  "tessera::Kernel<Alloc, Sched, Net, Block, Platform>: the 5th argument (Platform) is a platform of "      \
  "another build; this build is for " TESSERA_BUILD_PLATFORM ". Pass tessera::platform::Target, the "       \
  "platform of whatever the build is for (or build with that platform's cross file)"
#define TESSERA_DETAIL_SLOT_PLATFORM                                                                       \
  "tessera::Kernel<Alloc, Sched, Net, Block, Platform>: the 5th argument (Platform) does not model "       \
  "tessera::api::Platform; pass a platform such as tessera::platform::Target"
