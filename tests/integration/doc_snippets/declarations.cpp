// Declarations shown on their own (what a header declares), in a namespace of their own.
#include <cstddef>
namespace doc {
@SNIPPET@
}  // namespace doc
