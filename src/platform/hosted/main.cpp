// The hosted platform's process entry: the C runtime has set up the process; the kernel's
// boot (TESSERA_MAIN) takes over from here.

extern "C" [[noreturn]] void tessera_boot();

int main() { tessera_boot(); }
