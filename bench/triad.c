/* Memory bandwidth reference for `make bench`: a[i] = b[i] + s*c[i] over three arrays of doubles far
 * larger than the caches, on OMP_NUM_THREADS threads; prints the best of 10 passes in GB/s, counting
 * 24 bytes per element (two reads, one write), the way STREAM reports its triad. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000000L;
    double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double));
    if (!a || !b || !c) {
        fprintf(stderr, "triad: out of memory\n");
        return 1;
    }
#pragma omp parallel for
    for (long i = 0; i < n; i++) {
        a[i] = 0.0;
        b[i] = 1.0;
        c[i] = 2.0;
    }
    double best = 1e30;
    for (int pass = 0; pass < 10; pass++) {
        double t0 = omp_get_wtime();
#pragma omp parallel for
        for (long i = 0; i < n; i++) {
            a[i] = b[i] + 3.0 * c[i];
        }
        double t = omp_get_wtime() - t0;
        if (t < best) {
            best = t;
        }
    }
    printf("{\"threads\": %d, \"gb_per_s\": %.3f, \"check\": %.1f}\n", omp_get_max_threads(), 24.0 * n / best / 1e9, a[n / 2]);
    free(a);
    free(b);
    free(c);
    return 0;
}
