'use strict';
// The figures the benchmarks print from their timings: percentiles of a list of numbers, and CPU time
// (of this process, of this thread, or of another process by its id).
const { readFileSync } = require('node:fs');

/** The value at quantile `p` (0.5, 0.95, 0.99) of a list of numbers: the one at rank ⌊p × n⌋ sorted. */
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** The middle value of a list of numbers (the upper one of the two middles of an even count). */
const median = (xs) => percentile(xs, 0.5);

/** CPU milliseconds (user + system) this process has used, or used since `before` (a process.cpuUsage()). */
const cpuMs = (before) => {
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
};

/** CPU milliseconds (user + system) the calling thread has used. */
const threadCpuMs = () => {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
};

/** CPU milliseconds (user + system) of process `pid`'s main thread and of all its threads so far, or null off Linux. */
function processCpuMs(pid) {
  const ticks = (file) => {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, at 100 ticks a second
  };
  try {
    return { main: ticks(`/proc/${pid}/task/${pid}/stat`), all: ticks(`/proc/${pid}/stat`) };
  } catch {
    return null;
  }
}

module.exports = { cpuMs, median, percentile, processCpuMs, threadCpuMs };
