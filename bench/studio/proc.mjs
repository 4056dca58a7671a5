// CPU and memory of a process tree from /proc (Linux): what the studio's targets are about
// (the app plus the WebKit processes it starts) measured the same way for `cloumer live`.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null; // exited meanwhile
  }
}

/** A "Name:   N kB" line of a /proc/<pid> file, in KiB (0 once the process is gone). */
function kib(pid, file, field) {
  try {
    const m = readFileSync(`/proc/${pid}/${file}`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const rssKib = (pid) => kib(pid, 'status', 'VmRSS');

/**
 * Proportional set size: each page shared by n processes counts 1/n. Summing RSS over the
 * app and its WebKit processes counts the libraries they share (libwebkit2gtk, JSC, Mesa)
 * once per process; the PSS sum is what the group really occupies.
 */
const pssKib = (pid) => kib(pid, 'smaps_rollup', 'Pss');

function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** `root` and all its descendants. */
export function tree(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(name);
    if (!s) continue;
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(Number(name));
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop();
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** The process' command line, arguments joined by spaces ('' once it is gone). */
export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * Where a process' RSS is: its largest mappings by resident size, in MiB (anonymous
 * memory as '[anon]'; file names without /usr/lib's triplet directory). Tells, for
 * instance, whether a GL driver (libLLVM, *_dri.so) is loaded and what it costs.
 */
export function largestMappings(pid, count = 10) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return {};
  }
  const kib = new Map();
  let name = '[anon]';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = (head[1] || '[anon]').replace(/^\/usr\/lib\/x86_64-linux-gnu\//, '');
    else if (line.startsWith('Rss:')) kib.set(name, (kib.get(name) ?? 0) + Number(line.split(/\s+/)[1]));
  }
  return Object.fromEntries([...kib].sort((a, b) => b[1] - a[1]).slice(0, count).map(([n, k]) => [n, Math.round(k / 102.4) / 10]));
}

/** Pids whose command name is `name` (e.g. the app started by WebKitWebDriver). */
export function pidsNamed(name) {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => comm(n) === name)
    .map(Number);
}

/**
 * Samples the tree of `root` for `seconds`: CPU as % of one core (ticks over wall time;
 * processes that start meanwhile count from their first sample), peak RSS and PSS in MiB;
 * with `mappings`, each process' largest mappings too (`largestMappings`).
 */
export async function measure(root, seconds, { mappings = false } = {}) {
  const t0 = Date.now();
  const seen = new Map(tree(root).map((p) => [p, stat(p)?.ticks ?? 0]));
  let peakRss = 0;
  let peakPss = 0;
  const peakRssByName = {};
  while (Date.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 500));
    const pids = tree(root);
    for (const p of pids) if (!seen.has(p)) seen.set(p, 0);
    const rss = pids.map((p) => [comm(p) ?? 'exited', rssKib(p)]);
    peakRss = Math.max(peakRss, rss.reduce((s, [, kib]) => s + kib, 0));
    peakPss = Math.max(peakPss, pids.reduce((s, p) => s + pssKib(p), 0));
    for (const [name, kib] of rss) peakRssByName[name] = Math.max(peakRssByName[name] ?? 0, kib);
  }
  // Taken at the end of the window (not at the peak): what the RSS is made of.
  const largest = mappings ? Object.fromEntries(tree(root).map((p) => [`${comm(p)} ${p}`, largestMappings(p)])) : undefined;
  const wall = (Date.now() - t0) / 1000;
  const percent = (ticks) => Math.round((1000 * ticks) / TICKS_PER_SECOND / wall) / 10;
  // Per process name too (the app vs WebKitWebProcess vs WebKitNetworkProcess).
  const byName = {};
  let used = 0;
  for (const [p, start] of seen) {
    const ticks = Math.max(0, (stat(p)?.ticks ?? start) - start);
    used += ticks;
    const name = comm(p) ?? 'exited';
    byName[name] = (byName[name] ?? 0) + ticks;
  }
  return {
    cpu_percent: percent(used),
    cpu_percent_by_process: Object.fromEntries(Object.entries(byName).map(([n, t]) => [n, percent(t)])),
    peak_rss_mib: Math.round(peakRss / 102.4) / 10,
    peak_pss_mib: Math.round(peakPss / 102.4) / 10,
    peak_rss_mib_by_process: Object.fromEntries(Object.entries(peakRssByName).map(([n, k]) => [n, Math.round(k / 102.4) / 10])),
    processes: seen.size,
    ...(largest ? { largest_mappings_mib: largest } : {}),
    seconds: Math.round(wall),
  };
}
