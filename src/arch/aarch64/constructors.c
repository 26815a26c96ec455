// Runs the C++ global constructors of a bare-metal image (the linker script collects them
// between __init_array_start and __init_array_end). Kept out of line so the one indirect
// call it needs is in one known place (the indirect-branch check allows it by name).

typedef void (*tessera_constructor)(void);
extern tessera_constructor __init_array_start[], __init_array_end[];

void tessera_run_constructors(void) {
  for (tessera_constructor* c = __init_array_start; c != __init_array_end; ++c) (*c)();
}
