// Bench-only preload (`--cpu-prof DIR` of bench:push): Node 20 refuses --cpu-prof in NODE_OPTIONS, and
// ServiceProcess starts the services with fixed arguments, so the services get this file through
// NODE_OPTIONS=--require instead. It profiles the whole process life and writes
// <BENCH_CPU_PROF_DIR>/<service>-<pid>.cpuprofile at exit (the in-process inspector session answers
// synchronously, so this works inside the 'exit' handler).
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const service = basename(dirname(dirname(process.argv[1] ?? 'node')));
    writeFileSync(join(process.env.BENCH_CPU_PROF_DIR, `${service}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
