// Preloaded into the gateway by the comet benchmark only (node --expose-gc -r this file): SIGUSR2
// runs a full garbage collection, so heap and RSS are read after GC and not at a random point of
// the collector's cycle. Nothing in the gateway itself changes.
if (typeof global.gc === 'function') {
  process.on('SIGUSR2', () => {
    global.gc();
    global.gc();
  });
}
