#pragma once
// Everything an application needs: the kernel type, the API concepts, the components and the
// platform this build targets (tessera::platform::Target).

#include "tessera/alloc/buddy.hpp"
#include "tessera/alloc/region.hpp"
#include "tessera/alloc/slab.hpp"
#include "tessera/alloc/staged.hpp"
#include "tessera/alloc/tlsf.hpp"
#include "tessera/block/none.hpp"
#include "tessera/kernel.hpp"
#include "tessera/net/none.hpp"
#include "tessera/platform/target.hpp"
#include "tessera/sched/cooperative.hpp"
#include "tessera/sched/none.hpp"
