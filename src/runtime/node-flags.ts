/**
 * V8 flags a Sellbridge process starts with, wherever Sellbridge controls the start: the single executable (its
 * sea-config `execArgv`, scripts/package.ts; the container image, the service units and the release downloads run
 * it) and the service units of a checkout or npm install (`node <flags> bin/sellbridge.js`, cli/commands/service.ts).
 * Start-up flags on purpose: V8 documents changing heap flags in a running process as unsafe.
 *
 * V8 sizes its heap from the machine's memory and, while a process allocates steadily (a settlement import, the
 * three-way reconciliation after it), lets garbage pile up: the young generation grows to 64 MB semi-spaces
 * (128 MB resident) and the old generation to about four times what is live before it collects. A 51 MB settlement
 * kept about 55 MB live and peaked at 443 MB (file) and 544 MB (download job) from source. Measured on a loaded
 * 2-core machine, one run each, source form (README, Benchmarks, has the benchmark's figures):
 * - `--max-semi-space-size=4` (MB): short-lived rows die in a small young generation; file import 235 -> 173 MB,
 *   CPU 4.5 -> 4.7 s user (within noise). 1-2 MB is worse (rows still in flight get promoted: 224 MB at 2).
 * - `--heap-growing-percent=50`: the old generation may grow to 1.5x what is live, not ~4x, before a full GC; the
 *   download job (import, then the reconciliation's Sage lookup per order) 285 -> 196 MB, file import unchanged,
 *   CPU +0.1-0.3 s of 4.8 s user (more full GCs). A V8 flag, not a Node option: NODE_OPTIONS does not accept it.
 * - `--liftoff-only`: the WebAssembly a running Sellbridge uses is llhttp, the HTTP parser inside Node's fetch
 *   (and, run from a checkout's TypeScript, Node's type stripper while modules load). V8 compiles it with its
 *   baseline compiler (Liftoff) on the first request and then, once it is warm, again with TurboFan in the
 *   background, which took about 20 MB of compiler memory in one go (V8's malloced memory 1 -> 22 MB at the
 *   settlement job's first download, much of it kept by glibc): the job path's peak RSS, medians of 3 runs of the
 *   single executable, 139 -> 135 MB at 51 MB and 150 -> 142 MB at 404 MB. Neither `--no-wasm-tier-up` nor
 *   `--no-wasm-dynamic-tiering` avoided that compile (measured); this flag does. V8 documents it "for testing"; the
 *   executable's tests run with it, so a Node whose V8 drops it fails them. A local fetch loop showed no cost
 *   beyond its noise (3 alternated runs, CPU per request with the server in the same process: 370-461 us without,
 *   308-413 us with).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=50', '--liftoff-only'];
