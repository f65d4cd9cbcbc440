// V8 gives objects built the same way one hidden class (a map), and the optimized code of a hot loop
// depends on those maps. A map that no live object uses dies in a full GC, the code that depended on it
// is deoptimized, and the next run goes back to the interpreter and re-optimizes its hot loops (after a
// forced full GC, bench case b-explicit deoptimized ~4 functions per run and ran ~1.5x slower).
// Classes whose instances all die with their run keep one instance, built at module load, alive here.
const anchors: object[] = [];

/** Keep `instance` (built the way every instance of its class is built) alive, so its map survives full GCs. */
export function keepShape<Instance extends object>(instance: Instance): Instance {
  anchors.push(instance);
  return instance;
}
