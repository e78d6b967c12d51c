/* Core-to-core round trip of one cache line: how far apart the OS/hypervisor
 * has put two threads right now.
 *
 * Why a benchmark needs this: Hogwild training shares the model's rows between
 * worker threads, so every row one thread writes and the other then touches
 * moves a cache line between their cores. On the project's 2-vCPU VM (AMD EPYC,
 * KVM) the host places the two vCPUs sometimes on cores that share a last-level
 * cache (a line goes there and back in ~55 ns) and sometimes far apart (~330 ns),
 * changing from minute to minute; in the far placement a 2-thread run of one
 * shared model drops to the speed of one thread, while separate per-thread
 * models do not (benchmarks/RESULTS.md, thirteenth session). Printing this
 * figure beside a timing tells which placement the timing saw.
 *
 * Two threads hand a counter back and forth: thread 0 turns even values odd,
 * thread 1 odd values even; each hand-over is one line transfer.
 *
 *     cc -O2 -pthread pingpong.c -o pingpong && ./pingpong [round_trips]
 *
 * prints "<ns per round trip>". Spinning threads: on a machine with one CPU this
 * runs at scheduler speed, and the figure is meaningless (bench_speed.py only
 * asks with two CPUs or more). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(64) atomic_long counter;
static long round_trips;

static void *hand_over(void *arg)
{
    long me = (long)arg;
    for (long i = 0; i < round_trips; i++) {
        long mine = 2 * i + me;
        while (atomic_load_explicit(&counter, memory_order_acquire) != mine)
            ;
        atomic_store_explicit(&counter, mine + 1, memory_order_release);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    round_trips = argc > 1 ? atol(argv[1]) : 300000;
    if (round_trips < 1) {
        fprintf(stderr, "pingpong: round_trips must be >= 1\n");
        return 2;
    }
    pthread_t a, b;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (pthread_create(&a, NULL, hand_over, (void *)0) || pthread_create(&b, NULL, hand_over, (void *)1)) {
        fprintf(stderr, "pingpong: cannot start threads\n");
        return 1;
    }
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%.1f\n", seconds * 1e9 / (double)round_trips);
    return 0;
}
