import { sql } from 'kysely';
import { PgBoss, fromKysely, type JobInsert, type JobResult, type JobWithMetadata } from 'pg-boss';
import { SellbridgeError } from '../../core/errors.ts';
import type { Tx } from '../store/store.ts';
import { AttemptRunner } from './attempt-runner.ts';
import type {
  EnqueueItem,
  EnqueueOptions,
  EnqueueResult,
  HandlerOptions,
  JobEvent,
  JobFilter,
  JobHandler,
  JobInfo,
  JobQueue,
  JobState,
  QueueCount,
} from './job-queue.ts';
import type { QueueDeps } from './queue-deps.ts';

/** What we store in pg-boss's `data`: the flow's payload plus what pg-boss has no column for. */
interface Envelope {
  readonly payload: unknown;
  /** Attempts spent before this pg-boss job existed (replays start at 0; continuations carry them). */
  readonly spent: number;
  readonly max: number;
  readonly dedupe: boolean;
}

const EXPIRED_SUFFIX = '__expired';
const BACKSTOP_POLL_MS = 30_000;
/** The poll interval of a worker that only wakes when told (pg-boss needs one): a day. */
const WOKEN_ONLY_SECONDS = 86_400;

/**
 * The scaled job engine: pg-boss on PostgreSQL. Each of our queues is a pg-boss queue with policy
 * `key_strict_fifo`, so jobs with the same key run one at a time and in order across every process; pg-boss's
 * retries (exponential backoff with jitter, capped) carry transient failures, its expiry is the lease, and its
 * dead-letter queue catches jobs whose final attempt died with its process.
 *
 * What pg-boss does not do and we add: de-duplication while pending (an advisory lock per key plus a look for a
 * queued job, in the enqueueing transaction: pg-boss's singleton policies limit concurrency, they do not
 * de-duplicate, see shared/design/VERIFIED.md), waits that spend no attempt (the job completes and a
 * continuation with the same key is sent for `retryAfterMs` later), and dead letters in our own table with
 * their first and last failure.
 */
export class PgBossJobQueue implements JobQueue {
  readonly engine = 'pg-boss' as const;
  readonly #deps: QueueDeps;
  readonly #boss: PgBoss;
  readonly #schema: string;
  readonly #runner: AttemptRunner;
  readonly #handlers = new Map<string, { handler: JobHandler; options: HandlerOptions }>();
  readonly #queues = new Set<string>();
  readonly #inFlight = new Map<string, { promise: Promise<unknown>; abort: AbortController }>();
  /** pg-boss worker ids of this process's workers, by queue: what `#wake` wakes. */
  readonly #workers = new Map<string, string>();
  /** pg-boss worker ids of the expired twins' workers, by twin queue name: what the sweep wakes. */
  readonly #expiredWorkers = new Map<string, string>();
  #sweepTimer: NodeJS.Timeout | undefined;
  readonly #wakeTimers = new Set<NodeJS.Timeout>();
  /** Wake-ups asked for before the queue's worker started (epoch ms). */
  readonly #earlyWakes = new Map<string, number[]>();
  #started = false;
  /** Workers of queues registered after start, started one after another. */
  #late: Promise<void> = Promise.resolve();

  private constructor(deps: QueueDeps, boss: PgBoss, schema: string) {
    this.#deps = deps;
    this.#boss = boss;
    this.#schema = schema;
    this.#runner = new AttemptRunner({
      db: deps.store.db,
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      retry: deps.settings,
    });
  }

  static async create(deps: QueueDeps): Promise<PgBossJobQueue> {
    const schema = `${deps.store.schema}_jobs`;
    const leaseSeconds = Math.max(1, Math.ceil(deps.settings.leaseMs / 1000));
    const boss = new PgBoss({
      connectionString: deps.store.url,
      schema,
      max: 4,
      schedule: false,
      // Expired leases are found by supervision; check at least every lease period so a dead worker's job
      // waits about one lease, not pg-boss's default minute.
      supervise: deps.role !== 'client',
      superviseIntervalSeconds: Math.max(1, Math.min(60, leaseSeconds)),
      monitorIntervalSeconds: Math.max(1, Math.min(60, leaseSeconds)),
      persistWarnings: false,
      registerInstance: false,
      useListenNotify: true,
      // pg-boss's flows (jobs that wait for other jobs) are not used: its flow resolver would otherwise look for
      // finished parents every 5 s in every process (3 queries each time). Once an hour costs nothing.
      flowIntervalSeconds: 3600,
      // The listener's check that its LISTEN still stands (pg-boss: every 10 s) runs once per backstop poll; TCP
      // keepalive finds a dead connection, and a lost notification is found by the backstop poll anyway.
      notifyHeartbeatIntervalMs: Math.max(10_000, deps.settings.backstopPollMs ?? BACKSTOP_POLL_MS),
    });
    boss.on('error', (err: Error) => deps.logger.error({ err: err.message }, 'pg-boss error'));
    await boss.start();
    return new PgBossJobQueue(deps, boss, schema);
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    return this.#runner.onEvent(listener);
  }

  async #ensureQueue(name: string): Promise<void> {
    if (this.#queues.has(name)) return;
    const { settings } = this.#deps;
    await this.#boss.createQueue(name + EXPIRED_SUFFIX, { policy: 'standard', retryLimit: 0 });
    await this.#boss.createQueue(name, {
      policy: 'key_strict_fifo',
      retryLimit: settings.maxAttempts - 1,
      retryDelay: Math.max(1, Math.round(settings.backoffBaseMs / 1000)),
      retryBackoff: true,
      retryDelayMax: Math.max(1, Math.round(settings.backoffMaxMs / 1000)),
      expireInSeconds: Math.max(1, Math.ceil(settings.leaseMs / 1000)),
      deleteAfterSeconds: Math.max(60, Math.round(settings.keepCompletedMs / 1000)),
      deadLetter: name + EXPIRED_SUFFIX,
      notify: true,
    });
    this.#queues.add(name);
  }

  async enqueue(queue: string, payload: unknown, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    await this.#ensureQueue(queue);
    if (options.tx) return this.#enqueueIn(options.tx, queue, payload, options);
    // Only de-duplication needs a transaction of its own (for its advisory lock); a plain send is one statement.
    if (!options.dedupe) return this.#enqueueIn(undefined, queue, payload, options);
    return this.#deps.store.transaction((tx) => this.#enqueueIn(tx, queue, payload, options));
  }

  async #enqueueIn(
    tx: Tx | undefined,
    queue: string,
    payload: unknown,
    options: EnqueueOptions,
  ): Promise<EnqueueResult> {
    const id = crypto.randomUUID();
    const key = options.key ?? id;
    const db = tx ? fromKysely(tx) : undefined;
    if (options.dedupe && tx) {
      // Serialize enqueuers of this key until our transaction ends, then look for a job still waiting to run.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${queue}\n${key}`}, 0))`.execute(tx);
      const waiting = await this.#boss.findJobs(queue, { key, queued: true, limit: 1, db });
      if (waiting[0]) return { id: waiting[0].id, deduplicated: true };
    }
    const max = options.maxAttempts ?? this.#deps.settings.maxAttempts;
    const spent = Math.min(options.attemptsSpent ?? 0, max - 1);
    const envelope: Envelope = { payload: payload ?? null, spent, max, dedupe: options.dedupe === true };
    const startAfter =
      options.runAt ?? (options.delayMs ? new Date(this.#deps.clock.now().getTime() + options.delayMs) : undefined);
    const sent = await this.#boss.send(queue, envelope as unknown as object, {
      id,
      singletonKey: key,
      priority: options.priority ?? 0,
      retryLimit: max - 1 - spent,
      ...(startAfter ? { startAfter } : {}),
      ...(db ? { db } : {}),
    });
    if (!sent) throw new SellbridgeError('SB_STORE_UNAVAILABLE', `pg-boss refused the ${queue} job with key ${key}`);
    // pg-boss's NOTIFY announces jobs runnable now; one that starts later is announced by our own timer (in a
    // transaction it may fire before the commit: the fetch then finds nothing and the backstop poll remains).
    if (startAfter) this.#wake(queue, startAfter.getTime() - this.#deps.clock.now().getTime());
    return { id: sent, deduplicated: false };
  }

  async enqueueMany(
    queue: string,
    items: readonly EnqueueItem[],
    options: Pick<EnqueueOptions, 'tx'> = {},
  ): Promise<EnqueueResult[]> {
    if (items.length === 0) return [];
    const { tx } = options;
    // De-duplication needs its advisory lock and look per key (#enqueueIn): a batch holding such an item goes one
    // by one, in order, so jobs of one key keep their order.
    if (items.some((i) => i.options?.dedupe)) {
      const results: EnqueueResult[] = [];
      for (const i of items)
        results.push(await this.enqueue(queue, i.payload, { ...i.options, ...(tx ? { tx } : {}) }));
      return results;
    }
    await this.#ensureQueue(queue);
    const now = this.#deps.clock.now().getTime();
    const wakes = new Set<number>();
    // The rows of one insert share their created_on, and pg-boss runs a key's jobs by (created_on, id): ids drawn
    // and sorted, then handed out in the items' order, keep the jobs of one key in that order.
    const ids = items.map(() => crypto.randomUUID()).sort();
    const jobs: JobInsert[] = items.map(({ payload, options: o = {} }, i) => {
      const id = ids[i]!;
      const max = o.maxAttempts ?? this.#deps.settings.maxAttempts;
      const spent = Math.min(o.attemptsSpent ?? 0, max - 1);
      const envelope: Envelope = { payload: payload ?? null, spent, max, dedupe: false };
      const startAfter = o.runAt ?? (o.delayMs ? new Date(now + o.delayMs) : undefined);
      if (startAfter) wakes.add(startAfter.getTime());
      return {
        id,
        data: envelope,
        singletonKey: o.key ?? id,
        priority: o.priority ?? 0,
        retryLimit: max - 1 - spent,
        ...(startAfter ? { startAfter } : {}),
      };
    });
    // One INSERT for the lot (pg-boss's insert: the statement send() runs, for many rows; its NOTIFY is sent once).
    const sent = await this.#boss.insert(queue, jobs, { returnId: true, ...(tx ? { db: fromKysely(tx) } : {}) });
    if ((sent?.length ?? 0) !== jobs.length)
      throw new SellbridgeError(
        'SB_STORE_UNAVAILABLE',
        `pg-boss took ${sent?.length ?? 0} of ${jobs.length} ${queue} jobs`,
      );
    for (const at of wakes) this.#wake(queue, at - this.#deps.clock.now().getTime());
    return jobs.map((j) => ({ id: j.id!, deduplicated: false }));
  }

  register(queue: string, handler: JobHandler, options: HandlerOptions = {}): void {
    const known = this.#handlers.has(queue);
    this.#handlers.set(queue, { handler, options });
    // A queue registered while the worker runs (a connection added through the admin API whose flows use a queue
    // no other connection did) gets its worker now, not at the next restart.
    if (this.#started && !known)
      this.#late = this.#late
        .then(() => this.#work(queue, handler, options))
        .catch((err: unknown) =>
          this.#deps.logger.error(
            { err, queue },
            `queue ${queue}: its worker did not start; its jobs run after a restart`,
          ),
        );
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    for (const [queue, { handler, options }] of this.#handlers) await this.#work(queue, handler, options);
    const every = this.#deps.settings.backstopPollMs ?? BACKSTOP_POLL_MS;
    this.#sweepTimer = setInterval(
      () =>
        void this.#sweep().catch((err: unknown) =>
          this.#deps.logger.warn({ err: (err as Error).message }, 'job sweep failed; tried again at the next one'),
        ),
      Math.max(this.#deps.settings.pollIntervalMs, every),
    );
    this.#sweepTimer.unref();
  }

  /**
   * The backstop poll, one query for every queue this process serves and their expired twins (issue 15: each
   * pg-boss worker polling on its own was 22 queries per backstop period): it wakes the workers of the queues that
   * hold a job due now, which then fetch as when notified.
   */
  async #sweep(): Promise<void> {
    const names = [...this.#workers.keys(), ...this.#expiredWorkers.keys()];
    if (names.length === 0) return;
    const table = sql.table(`${this.#schema}.job`);
    const { rows } = await sql<{ name: string }>`
      SELECT q.name FROM unnest(${names}::text[]) AS q(name)
      WHERE EXISTS (SELECT 1 FROM ${table} j
        WHERE j.name = q.name AND j.state < 'active' AND NOT j.blocked AND j.start_after <= now())`.execute(
      this.#deps.store.db,
    );
    for (const { name } of rows) {
      const id = this.#workers.get(name) ?? this.#expiredWorkers.get(name);
      if (id) this.#boss.notifyWorker(id);
    }
  }

  /** Starts this process's worker of `queue` (and of its expired twin). */
  async #work(queue: string, handler: JobHandler, options: HandlerOptions): Promise<void> {
    const { settings } = this.#deps;
    const pollingIntervalSeconds = Math.max(0.5, settings.pollIntervalMs / 1000);
    await this.#ensureQueue(queue);
    // One fetch brings up to `concurrency` jobs (heads of distinct keys under key_strict_fifo); they run side by
    // side and each is settled on its own. A full batch means more work is waiting, so the worker fetches
    // again at once (burst) instead of waiting a polling interval.
    //
    // An idle worker does not poll every queue every `pollIntervalMs` (issue 15: 22 queues polled twice a second
    // cost an idle worker 75 ms of CPU per second and as much on the database). What makes a job runnable is
    // announced instead: a new job by pg-boss's NOTIFY; a delayed job or a continuation by this process's timer
    // (`#wake` in enqueue); the next job of a key by the batch that finished its predecessor (below); a retry by
    // a timer over pg-boss's backoff window (#runOne). What none of these announces (a job delayed by another
    // process that died, a lease of a dead process) waits for the backstop poll, one query for all queues
    // (#sweep) that wakes the workers with jobs due. `pollIntervalMs` remains each worker's poll while NOTIFY is
    // unavailable.
    const id = await this.#boss.work<Envelope>(
      queue,
      {
        batchSize: options.concurrency ?? settings.concurrency,
        burstWhenBatchFull: true,
        perJobResults: true,
        includeMetadata: true,
        pollingIntervalSeconds,
        notifyPollingIntervalSeconds: WOKEN_ONLY_SECONDS,
      },
      async (jobs) => {
        const results = await Promise.all(
          jobs.map((job) => this.#runOne(queue, handler, job as JobWithMetadata<Envelope>)),
        );
        // A finished job may have unblocked the next job of its key (key_strict_fifo): look again at once.
        this.#wake(queue, 0);
        return results;
      },
    );
    this.#workers.set(queue, id);
    for (const due of this.#earlyWakes.get(queue) ?? []) this.#wake(queue, due - Date.now());
    this.#earlyWakes.delete(queue);
    // A job lands here only when its last attempt's lease ran out (its process died): rare, and not announced; the
    // sweep finds it.
    const expiredId = await this.#boss.work<Envelope>(
      queue + EXPIRED_SUFFIX,
      { includeMetadata: true, pollingIntervalSeconds: WOKEN_ONLY_SECONDS },
      async ([job]) => this.#expired(queue, job as JobWithMetadata<Envelope>),
    );
    this.#expiredWorkers.set(queue + EXPIRED_SUFFIX, expiredId);
  }

  /**
   * Makes this process's worker of `queue` fetch now, or in `delayMs` (a little after, for clock skew). Before the
   * worker exists (jobs enqueued before `start()`), the due time is kept and armed when it starts.
   */
  #wake(queue: string, delayMs: number): void {
    const id = this.#workers.get(queue);
    if (!id) {
      // A client-role process (CLI, API role) never starts workers: nothing to keep. A worker keeps at most 1,000
      // per queue until it starts (past those, the backstop poll finds the jobs).
      if (this.#deps.role !== 'client' && (!this.#started || this.#handlers.has(queue))) {
        const due = this.#earlyWakes.get(queue) ?? [];
        if (due.length < 1000) due.push(Date.now() + Math.max(0, delayMs));
        this.#earlyWakes.set(queue, due);
      }
      return;
    }
    if (delayMs <= 0) {
      this.#boss.notifyWorker(id);
      return;
    }
    const timer = setTimeout(() => {
      this.#wakeTimers.delete(timer);
      this.#boss.notifyWorker(id);
    }, delayMs + 50);
    timer.unref();
    this.#wakeTimers.add(timer);
  }

  /**
   * pg-boss delays the next attempt by retryDelay * 2^n * (1 + random), capped at retryDelayMax (n = retries so
   * far): the job is due somewhere in that window. Look at its start, then four times across the window.
   */
  #wakeForRetry(queue: string, retryCount: number): void {
    const { settings } = this.#deps;
    const base = Math.max(1, Math.round(settings.backoffBaseMs / 1000)) * 1000;
    const cap = Math.max(1, Math.round(settings.backoffMaxMs / 1000)) * 1000;
    const from = Math.min(cap, base * 2 ** Math.min(16, retryCount));
    const to = Math.min(cap, base * 2 ** Math.min(16, retryCount + 1));
    for (let k = 0; k <= 4; k++) this.#wake(queue, from + ((to - from) * k) / 4);
  }

  async #runOne(queue: string, handler: JobHandler, job: JobWithMetadata<Envelope>): Promise<JobResult> {
    const env = job.data;
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    job.signal?.addEventListener('abort', onAbort, { once: true });
    const attempt = {
      id: job.id,
      queue,
      key: job.singletonKey ?? job.id,
      attempt: env.spent + job.retryCount + 1,
      maxAttempts: env.max,
      payload: env.payload,
    };
    const work = (async () => {
      const { outcome, durationMs } = await this.#runner.run(attempt, handler, abort.signal);
      // Complete explicitly (pg-boss's own completion after we return is then a no-op) so that the event is
      // announced only once the state is stored.
      const complete = async (output: object): Promise<JobResult> => {
        await this.#boss.complete(queue, job.id, output);
        this.#runner.announce(attempt, outcome, durationMs);
        return { id: job.id, status: 'completed', output };
      };
      switch (outcome.kind) {
        case 'completed':
          return complete({});
        case 'retry':
          // pg-boss schedules the retry with its capped, jittered backoff.
          this.#runner.announce(attempt, outcome, durationMs);
          this.#wakeForRetry(queue, job.retryCount);
          return { id: job.id, status: 'failed' as const, output: outcome.error.toJSON() };
        case 'dead':
          return complete({ deadLetterId: outcome.deadLetterId });
        case 'defer':
        case 'released': {
          // No attempt spent: finish this pg-boss job and queue the same work again under the same key.
          const delayMs = outcome.kind === 'defer' ? outcome.delayMs : 0;
          const next = await this.enqueue(queue, env.payload, {
            key: attempt.key,
            dedupe: env.dedupe,
            delayMs,
            maxAttempts: env.max,
            attemptsSpent: attempt.attempt - 1,
            priority: job.priority,
          });
          return complete({ continuedAs: next.id, delayMs });
        }
      }
    })();
    this.#inFlight.set(job.id, { promise: work.catch(() => undefined), abort });
    try {
      return await work;
    } catch (err) {
      // The store failed while recording the outcome: fail this attempt; pg-boss retries it.
      this.#deps.logger.error(
        { jobId: job.id, err: (err as Error).message },
        `could not record the outcome of job ${job.id}`,
      );
      return { id: job.id, status: 'failed', output: { message: (err as Error).message } };
    } finally {
      job.signal?.removeEventListener('abort', onAbort);
      this.#inFlight.delete(job.id);
    }
  }

  /** A job's last attempt died with its process: record the dead letter, then unblock its key. */
  async #expired(queue: string, job: JobWithMetadata<Envelope>): Promise<void> {
    const sourceId = job.sourceId ?? job.id;
    const env = job.data;
    const ref = { id: sourceId, queue, key: job.singletonKey ?? sourceId, attempt: env.max, maxAttempts: env.max };
    const error = new SellbridgeError(
      'SB_JOB_TIMEOUT',
      `job ${sourceId} (${queue}) was not finished within its lease on its last attempt; the process holding it died or hung`,
      {
        context: { jobId: sourceId, queue },
      },
    );
    const deadLetterId = await this.#runner.deadLetter(ref, env.payload, error);
    await this.#boss.deleteJob(queue, sourceId);
    this.#deps.logger.error({ jobId: sourceId, queue }, error.message);
    this.#runner.emit({ type: 'dead', job: ref, deadLetterId, code: error.code });
  }

  async stop(options: { graceMs?: number } = {}): Promise<void> {
    const graceMs = options.graceMs ?? this.#deps.settings.shutdownGraceMs;
    for (const t of this.#wakeTimers) clearTimeout(t);
    this.#wakeTimers.clear();
    clearInterval(this.#sweepTimer);
    this.#workers.clear();
    this.#expiredWorkers.clear();
    for (const queue of this.#handlers.keys()) {
      await this.#boss.offWork(queue, { wait: false }).catch(() => undefined);
      await this.#boss.offWork(queue + EXPIRED_SUFFIX, { wait: false }).catch(() => undefined);
    }
    let timeout: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), graceMs);
    });
    const all = Promise.allSettled([...this.#inFlight.values()].map((f) => f.promise));
    if ((await Promise.race([all.then(() => 'done' as const), graceOver])) === 'timeout') {
      // Handlers that honour the signal end as "released": their work is queued again, no attempt spent.
      for (const f of this.#inFlight.values()) f.abort.abort();
      await Promise.race([
        Promise.allSettled([...this.#inFlight.values()].map((f) => f.promise)),
        new Promise((r) => setTimeout(r, 2000)),
      ]);
    }
    clearTimeout(timeout);
    await this.#boss.stop({ graceful: true, timeout: 5000 });
  }

  async getJob(id: string): Promise<JobInfo | undefined> {
    return (await this.#select({ id }))[0];
  }

  async listJobs(filter: JobFilter = {}): Promise<JobInfo[]> {
    return this.#select(filter);
  }

  /**
   * Admin reads go straight to pg-boss's job table (read-only): pg-boss's own finders need the queue name and
   * page oldest first, while operators want the newest jobs across queues.
   */
  async #select(filter: JobFilter & { id?: string }): Promise<JobInfo[]> {
    const table = sql.table(`${this.#schema}.job`);
    const stateSql = sql`CASE WHEN j.state IN ('created','retry') THEN 'pending' WHEN j.state = 'active' THEN 'running'
      WHEN j.state = 'failed' OR (j.output ? 'deadLetterId') THEN 'dead' ELSE 'completed' END`;
    const rows = await sql<{
      id: string;
      name: string;
      key: string | null;
      state: JobState;
      retry_count: number;
      data: Envelope;
      start_after: Date;
      created_on: Date;
      last_error: string | null;
    }>`
      SELECT j.id, j.name, j.singleton_key AS key, ${stateSql} AS state, j.retry_count, j.data, j.start_after, j.created_on,
             f.last_error
      FROM ${table} j LEFT JOIN job_failures f ON f.job_id = j.id::text
      WHERE j.name NOT LIKE ${'%' + EXPIRED_SUFFIX}
        ${filter.id ? sql`AND j.id = ${filter.id}::uuid` : sql``}
        ${filter.queue ? sql`AND j.name = ${filter.queue}` : sql``}
        ${filter.state ? sql`AND ${stateSql} = ${filter.state}` : sql``}
        ${filter.connectionId ? sql`AND coalesce(nullif(trim(j.data -> 'payload' ->> 'connectionId'), ''), 'default') = ${filter.connectionId}` : sql``}
      ORDER BY j.created_on DESC LIMIT ${filter.limit ?? 100}`
      .execute(this.#deps.store.db)
      .catch((err: unknown) => {
        if (filter.id && /invalid input syntax for type uuid/.test((err as Error).message)) return { rows: [] };
        throw err;
      });
    return rows.rows.map((r) => ({
      id: r.id,
      queue: r.name,
      key: r.key ?? r.id,
      state: r.state,
      // pg-boss counts retries; attempts started = spent before + retries + the one running or finished.
      attempt: r.data.spent + r.retry_count + (r.state === 'pending' ? 0 : 1),
      maxAttempts: r.data.max,
      runAt: new Date(r.start_after).toISOString(),
      createdAt: new Date(r.created_on).toISOString(),
      payload: r.data.payload,
      lastError: r.last_error,
    }));
  }

  async counts(
    filter: { readonly connectionId?: string; readonly byConnection?: boolean } = {},
  ): Promise<QueueCount[]> {
    const table = sql.table(`${this.#schema}.job`);
    const connection = sql`coalesce(nullif(trim(data -> 'payload' ->> 'connectionId'), ''), 'default')`;
    const ofConnection = filter.connectionId ? sql`AND ${connection} = ${filter.connectionId}` : sql``;
    const by = filter.byConnection === true;
    const rows = await sql<{
      queue: string;
      state: JobState;
      count: string;
      connection_id: string | null;
      oldest_due: Date | string | null;
    }>`
      SELECT name AS queue, CASE WHEN state IN ('created','retry') THEN 'pending' WHEN state = 'active' THEN 'running'
        WHEN state = 'failed' OR (output ? 'deadLetterId') THEN 'dead' ELSE 'completed' END AS state, count(*) AS count,
        ${by ? connection : sql`NULL`} AS connection_id,
        MIN(CASE WHEN state IN ('created','retry') AND start_after <= now() THEN start_after END) AS oldest_due
      FROM ${table} WHERE name NOT LIKE ${'%' + EXPIRED_SUFFIX} ${ofConnection}
      GROUP BY 1, 2${by ? sql`, 4` : sql``}`.execute(this.#deps.store.db);
    return rows.rows.map((r) => ({
      queue: r.queue,
      state: r.state,
      count: Number(r.count),
      ...(by ? { connectionId: r.connection_id ?? 'default' } : {}),
      ...(r.oldest_due ? { oldestDueAt: new Date(r.oldest_due).toISOString() } : {}),
    }));
  }
}
