// The classic hold model on ns-3's simulator core, a peer for bench/.
//
// P events are scheduled at Exp(mean) delays (rounded to an integer
// microsecond); each executed event schedules one more the same way, so there
// are always P pending events. After N executed events the handler calls
// Simulator::Stop(), which makes Simulator::Run() return after the current
// event. Only Simulator::Run() is timed (std::chrono::steady_clock), not the
// initial P insertions, as in the other two engines.
//
// Scheduler: ns3::HeapScheduler by default (a binary heap of event keys);
// `--scheduler ns3::MapScheduler` etc. selects another.
// RNG: std::mt19937_64 + std::exponential_distribution<double> (a few ns per
// draw), not ns-3's ExponentialRandomVariable (a virtual call and an
// MRG32k3a stream per draw), so the random numbers do not dominate.
//
// Build (the bench does this, see bench/peers.ts):
//   g++ -O2 -std=c++17 -o build/hold_ns3 hold_ns3.cc [-I<ns3 include dir>] -lns3-core
// Usage: hold_ns3 [--pending P] [--events N] [--mean-us M] [--seed S] [--scheduler TYPE]
// Prints one JSON object on stdout.

#include "ns3/core-module.h"
#include "ns3/version-defines.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

using namespace ns3;

namespace
{
std::mt19937_64 g_rng;
std::exponential_distribution<double> g_exp;
uint64_t g_count = 0;
uint64_t g_target = 0;

inline int64_t
Draw()
{
    // std::llround rounds half away from zero, = Math.round for x >= 0
    return std::llround(g_exp(g_rng));
}

void
Hold()
{
    if (++g_count >= g_target)
    {
        Simulator::Stop();
    }
    Simulator::Schedule(MicroSeconds(Draw()), &Hold);
}
} // namespace

int
main(int argc, char* argv[])
{
    uint64_t pending = 100000;
    uint64_t events = 2000000;
    double meanUs = 100.0;
    uint64_t seed = 1;
    std::string scheduler = "ns3::HeapScheduler";
    for (int i = 1; i + 1 < argc; i += 2)
    {
        const char* k = argv[i];
        const char* v = argv[i + 1];
        if (!std::strcmp(k, "--pending"))
            pending = std::strtoull(v, nullptr, 10);
        else if (!std::strcmp(k, "--events"))
            events = std::strtoull(v, nullptr, 10);
        else if (!std::strcmp(k, "--mean-us"))
            meanUs = std::strtod(v, nullptr);
        else if (!std::strcmp(k, "--seed"))
            seed = std::strtoull(v, nullptr, 10);
        else if (!std::strcmp(k, "--scheduler"))
            scheduler = v;
        else
        {
            std::fprintf(stderr, "unknown option %s\n", k);
            return 2;
        }
    }
    g_rng.seed(seed);
    g_exp = std::exponential_distribution<double>(1.0 / meanUs);
    g_target = events;

    Simulator::SetScheduler(ObjectFactory(scheduler));
    for (uint64_t i = 0; i < pending; i++)
    {
        Simulator::Schedule(MicroSeconds(Draw()), &Hold);
    }

    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto t1 = std::chrono::steady_clock::now();
    double wallMs = std::chrono::duration<double, std::milli>(t1 - t0).count();
    double simTimeUs = Simulator::Now().GetMicroSeconds();
    Simulator::Destroy();

    std::printf("{\"engine\": \"ns-3\", \"version\": \"%d.%d.%d\", \"scheduler\": \"%s\", \"pending\": %llu, "
                "\"events\": %llu, \"meanUs\": %g, \"simTimeUs\": %.0f, \"wallMs\": %.3f, "
                "\"eventsPerSec\": %.1f, \"rng\": \"std::mt19937_64 + std::exponential_distribution\"}\n",
                NS3_VERSION_MAJOR,
                NS3_VERSION_MINOR,
                NS3_VERSION_PATCH,
                scheduler.c_str(),
                (unsigned long long)pending,
                (unsigned long long)g_count,
                meanUs,
                simTimeUs,
                wallMs,
                g_count / (wallMs / 1000.0));
    return 0;
}
