// A hosted doctest unit test (tests/unit/): doctest's header is on the include path there.
// platforms: hosted
// flags: -I@SOURCE@/tests/unit
@SNIPPET@
