// crash: faults on purpose, to show what a crash looks like in tessera. It follows a null
// pointer (a lookup that found nothing) and reads through it. The kernel reports the fault
// (cause, address, registers) and a backtrace, `./tessera run crash` turns the backtrace's
// addresses into functions and source lines, and the image exits with status 70:
//
//   *** tessera: fault: synchronous exception from current EL with SP_ELx
//     cause: data abort (bad load or store address) (EC 0x25)
//     fault: translation fault (the address is not mapped), on a read
//     the address is near 0: most likely a null pointer dereference …
//     backtrace …
//       #0 0x… sensor_reading(char const*) at examples/crash/main.cpp:39
//
// docs/debugging.md shows how to look at it with gdb (./tessera debug crash).

#include <cstdio>
#include <cstring>

#include <tessera/tessera.hpp>

using App = tessera::Kernel<tessera::alloc::Region<>, tessera::sched::None, tessera::net::None,
                            tessera::block::None, tessera::platform::Target>;

struct Sensor {
  const char* name;
  int reading;
};

Sensor sensors[] = {{"temperature", 21}, {"humidity", 40}};

// The bug: no check that the lookup found the sensor.
[[gnu::noinline]] Sensor* find_sensor(const char* name) {
  for (auto& sensor : sensors)
    if (std::strcmp(sensor.name, name) == 0) return &sensor;
  return nullptr;
}

[[gnu::noinline]] int sensor_reading(const char* name) {
  Sensor* sensor = find_sensor(name);
  std::printf("reading %s\n", sensor->name);  // crash: "pressure" is not there
  return sensor->reading;
}

int crash_main() {
  std::printf("temperature: %d\n", sensor_reading("temperature"));
  std::printf("pressure: %d\n", sensor_reading("pressure"));
  std::printf("not reached: the read above faults\n");
  return 0;
}

TESSERA_MAIN(App, crash_main)
