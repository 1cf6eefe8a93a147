/* Small pthread programs in the style of the SCTBench benchmarks (Thomson,
   Donaldson, Betts: "Concurrency testing using controlled schedulers", 2016),
   written here: plain C, pthreads and assert(), each with a correct variant
   (bad == 0) and a buggy one (bad == 1). */
#ifndef STRAIN_SCTBENCH_H
#define STRAIN_SCTBENCH_H
#ifdef __cplusplus
extern "C" {
#endif
void sct_account(int bad);
void sct_lazy_init(int bad);
void sct_lost_wakeup(int bad);
void sct_publish(int bad);
void sct_twostage(int bad);
#ifdef __cplusplus
}
#endif
#endif
