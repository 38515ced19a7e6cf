// SPDX-License-Identifier: GPL-2.0
/*
 * xrmu harness: parwrite FILE DELAY_MS
 *
 * Writes "1" to FILE from two threads, the first on CPU 0 at once, the
 * second on CPU 1 DELAY_MS later, and prints each write's result.  Both
 * threads exist (and have opened FILE) before either writes, so that a
 * write that keeps its CPU busy with interrupts off (a debugfs "sync" on
 * a stalled unit) cannot hold up the other thread's start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *path;
static long delay_ms;
static pthread_barrier_t start;

struct writer {
	pthread_t thread;
	int cpu;
	int result;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	struct timespec ts = { 0 };
	cpu_set_t set;
	int fd;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		w->result = -errno;
	fd = open(path, O_WRONLY);
	if (fd < 0 && !w->result)
		w->result = -errno;
	pthread_barrier_wait(&start);
	if (w->result)
		return NULL;
	if (w->cpu) {
		ts.tv_sec = delay_ms / 1000;
		ts.tv_nsec = (delay_ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	w->result = write(fd, "1\n", 2) < 0 ? -errno : 0;
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct writer w[2] = { { .cpu = 0 }, { .cpu = 1 } };
	int i;

	if (argc != 3) {
		fprintf(stderr, "usage: parwrite FILE DELAY_MS\n");
		return 2;
	}
	path = argv[1];
	delay_ms = atol(argv[2]);
	pthread_barrier_init(&start, NULL, 2);
	for (i = 0; i < 2; i++)
		if (pthread_create(&w[i].thread, NULL, writer_fn, &w[i])) {
			fprintf(stderr, "parwrite: cannot create a thread\n");
			return 1;
		}
	for (i = 0; i < 2; i++) {
		pthread_join(w[i].thread, NULL);
		printf("writer %d (CPU %d): %d %s\n", i, w[i].cpu, w[i].result,
		       w[i].result ? strerror(-w[i].result) : "ok");
	}
	return 0;
}
