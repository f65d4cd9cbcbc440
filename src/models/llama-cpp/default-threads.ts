// How many CPU threads llama.cpp evaluates with when the caller does not say.
import { availableParallelism } from "node:os";

/**
 * The default thread count for `physicalCores` physical cores: all of them, except on machines with
 * two cores or fewer, where one thread is used.
 *
 * Why: llama.cpp's own default counts logical CPUs and spins its threads against each other; on a
 * 2-core machine we measured ~1,500 tokens/s with one thread against 0.6–6 tokens/s with the
 * default (stories260K, CPU only). One thread also leaves a core for the event loop that streams
 * the tokens.
 */
export function defaultThreadCount(physicalCores: number): number {
  if (!Number.isFinite(physicalCores) || physicalCores <= 2) return 1;
  return Math.floor(physicalCores);
}

/** The physical core count as llama.cpp sees it (`cpuMathCores`), or Node's count when unknown. */
export function physicalCoreCount(llamaMathCores: number | undefined): number {
  return llamaMathCores !== undefined && llamaMathCores > 0 ? llamaMathCores : availableParallelism();
}
