import { randomUUID } from 'node:crypto';
import { sql, type Expression, type SqlBool } from 'kysely';
import { SellbridgeError } from '../../core/errors.ts';
import type { JobRow } from '../store/tables.ts';
import { payloadConnectionSql } from './dead-letters.ts';
import { AttemptRunner, type AttemptOutcome } from './attempt-runner.ts';
import type { QueueDeps } from './queue-deps.ts';
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
  QueueCount,
} from './job-queue.ts';

const MAINTENANCE_INTERVAL_MS = 60_000;
/** Rows per statement of enqueueMany (14 bound parameters each, well under SQLite's limit of 32766). */
const ENQUEUE_BATCH = 500;

/**
 * The embedded job engine: our own small queue in the SQLite store, because pg-boss (12.x) ships no SQLite
 * adapter (its PGlite adapter would mean a second database and no transactional enqueue). SQLite serializes
 * writers, so claiming a job is one UPDATE ... RETURNING that picks the due head of a key that nothing is
 * running; several processes on one file are safe (WAL + busy timeout).
 */
export class SqliteJobQueue implements JobQueue {
  readonly engine = 'sqlite' as const;
  readonly #deps: QueueDeps;
  readonly #runner: AttemptRunner;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #inFlight = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  readonly #workerId: string;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #maintenance: NodeJS.Timeout | undefined;
  #pumping = false;
  #pumpAgain = false;
  #lastReclaimMs = 0;

  constructor(deps: QueueDeps) {
    this.#deps = deps;
    this.#workerId = deps.workerId ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#runner = new AttemptRunner({
      db: deps.store.db,
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      retry: deps.settings,
    });
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    return this.#runner.onEvent(listener);
  }

  async enqueue(queue: string, payload: unknown, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const row = this.#row(queue, payload, options, this.#deps.clock.now());
    const db = options.tx ?? this.#deps.store.db;
    // A conflict means a pending job holds the key; if that job starts running before we read it back, the key
    // is free again and the insert is simply tried once more (outside a transaction each statement commits).
    for (let tries = 0; tries < 5; tries++) {
      const inserted = await db
        .insertInto('jobs')
        .values(row)
        // The partial unique index jobs_dedupe makes a second pending de-duplicating job with this key a no-op.
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) {
        if (!options.tx) this.#poke();
        return { id: row.id, deduplicated: false };
      }
      const existing = await db
        .selectFrom('jobs')
        .select('id')
        .where('key', '=', row.key)
        .where('dedupe', '=', 1)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (existing) return { id: existing.id, deduplicated: true };
    }
    throw new SellbridgeError(
      'SB_STORE_UNAVAILABLE',
      `could not enqueue ${queue} job with key ${row.key}: its key kept changing state`,
    );
  }

  async enqueueIf(
    queue: string,
    payload: unknown,
    options: Omit<EnqueueOptions, 'tx'>,
    guard: Expression<SqlBool>,
  ): Promise<boolean> {
    const row = this.#row(queue, payload, options, this.#deps.clock.now());
    const columns = Object.keys(row) as (keyof typeof row)[];
    // INSERT ... SELECT <values> WHERE guard: SQLite evaluates the guard and inserts in one statement. A conflict
    // (jobs_dedupe) needs no read back: the pending job that holds the key has not started, so it reads its source
    // after this call and does the work this job would have done.
    const db = this.#deps.store.db;
    const inserted = await db
      .insertInto('jobs')
      .columns(columns)
      .expression(db.selectNoFrom(columns.map((c) => sql.val(row[c]).as(c))).where(guard))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    const added = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
    if (added) this.#poke();
    return added;
  }

  async enqueueMany(
    queue: string,
    items: readonly EnqueueItem[],
    options: Pick<EnqueueOptions, 'tx'> = {},
  ): Promise<EnqueueResult[]> {
    if (items.length === 0) return [];
    const now = this.#deps.clock.now();
    const db = options.tx ?? this.#deps.store.db;
    const rows = items.map(({ payload, options: o = {} }) => this.#row(queue, payload, o, now));
    // One multi-row INSERT (a chunk per ENQUEUE_BATCH rows, under SQLite's bound-parameter limit). Rows go in the
    // items' order, so jobs of one key run in that order as with enqueue one by one; the partial unique index
    // jobs_dedupe skips a de-duplicating row whose key already has a pending job, this batch's included.
    const inserted = new Set<string>();
    for (let i = 0; i < rows.length; i += ENQUEUE_BATCH) {
      const done = await db
        .insertInto('jobs')
        .values(rows.slice(i, i + ENQUEUE_BATCH))
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .execute();
      for (const r of done) inserted.add(r.id);
    }
    if (inserted.size > 0 && !options.tx) this.#poke();
    const skipped = rows.filter((r) => !inserted.has(r.id));
    if (skipped.length === 0) return rows.map((r) => ({ id: r.id, deduplicated: false }));
    // The skipped rows' pending jobs in one read; a key whose job started meanwhile goes through enqueue's retry.
    const pending = new Map<string, string>();
    const keys = [...new Set(skipped.map((r) => r.key))];
    for (let i = 0; i < keys.length; i += ENQUEUE_BATCH) {
      const found = await db
        .selectFrom('jobs')
        .select(['id', 'key'])
        .where('key', 'in', keys.slice(i, i + ENQUEUE_BATCH))
        .where('dedupe', '=', 1)
        .where('state', '=', 'pending')
        .execute();
      for (const f of found) pending.set(f.key, f.id);
    }
    const results: EnqueueResult[] = [];
    for (const [i, r] of rows.entries()) {
      if (inserted.has(r.id)) results.push({ id: r.id, deduplicated: false });
      else if (pending.has(r.key)) results.push({ id: pending.get(r.key)!, deduplicated: true });
      else results.push(await this.enqueue(queue, items[i]!.payload, { ...items[i]!.options, ...options }));
    }
    return results;
  }

  register(queue: string, handler: JobHandler, _options?: HandlerOptions): void {
    this.#handlers.set(queue, handler);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const { leaseMs, pollIntervalMs } = this.#deps.settings;
    this.#timer = setInterval(() => this.#poke(), pollIntervalMs);
    // Renew leases of long-running jobs well before they expire, so only dead processes lose theirs.
    this.#heartbeat = setInterval(() => void this.#renewLeases(), Math.max(50, Math.floor(leaseMs / 3)));
    this.#maintenance = setInterval(() => void this.#purgeCompleted(), MAINTENANCE_INTERVAL_MS);
    // The timers are not unref'd on purpose: a started queue keeps its process alive until stop().
    this.#poke();
  }

  async stop(options: { graceMs?: number } = {}): Promise<void> {
    this.#running = false;
    clearInterval(this.#timer);
    clearInterval(this.#maintenance);
    const graceMs = options.graceMs ?? this.#deps.settings.shutdownGraceMs;
    const all = () => Promise.allSettled([...this.#inFlight.values()].map((f) => f.promise));
    let timeout: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), graceMs);
    });
    const result = await Promise.race([all().then(() => 'done' as const), graceOver]);
    clearTimeout(timeout);
    if (result === 'timeout') {
      // Past the grace period: abort the handlers and give their jobs back without spending an attempt.
      for (const f of this.#inFlight.values()) f.abort.abort();
      const ids = [...this.#inFlight.keys()];
      if (ids.length) await this.#giveBack(ids);
    }
    clearInterval(this.#heartbeat);
  }

  async getJob(id: string): Promise<JobInfo | undefined> {
    const row = await this.#deps.store.db
      .selectFrom('jobs')
      .leftJoin('job_failures', 'job_failures.job_id', 'jobs.id')
      .selectAll('jobs')
      .select('job_failures.last_error')
      .where('jobs.id', '=', id)
      .executeTakeFirst();
    return row ? jobInfoFromRow(row) : undefined;
  }

  async listJobs(filter: JobFilter = {}): Promise<JobInfo[]> {
    let q = this.#deps.store.db
      .selectFrom('jobs')
      .leftJoin('job_failures', 'job_failures.job_id', 'jobs.id')
      .selectAll('jobs')
      .select('job_failures.last_error')
      .orderBy('jobs.seq', 'desc')
      .limit(filter.limit ?? 100);
    if (filter.queue) q = q.where('jobs.queue', '=', filter.queue);
    if (filter.state) q = q.where('jobs.state', '=', filter.state);
    if (filter.connectionId) q = q.where(payloadConnectionSql('sqlite', 'jobs.payload'), '=', filter.connectionId);
    return (await q.execute()).map(jobInfoFromRow);
  }

  async counts(
    filter: { readonly connectionId?: string; readonly byConnection?: boolean } = {},
  ): Promise<QueueCount[]> {
    const connection = payloadConnectionSql('sqlite');
    const now = this.#now();
    let q = this.#deps.store.db
      .selectFrom('jobs')
      .select([
        'queue',
        'state',
        connection.as('connection_id'),
        (eb) => eb.fn.countAll<number>().as('count'),
        sql<string | null>`MIN(CASE WHEN state = 'pending' AND run_at <= ${now} THEN run_at END)`.as('oldest_due'),
      ]);
    if (filter.connectionId) q = q.where(connection, '=', filter.connectionId);
    const rows = await (
      filter.byConnection ? q.groupBy(['queue', 'state', connection]) : q.groupBy(['queue', 'state'])
    ).execute();
    return rows.map((r) => ({
      queue: r.queue,
      state: r.state,
      count: Number(r.count),
      ...(filter.byConnection ? { connectionId: r.connection_id } : {}),
      ...(r.oldest_due ? { oldestDueAt: r.oldest_due } : {}),
    }));
  }

  /** A pending job's row as `enqueue` writes it. */
  #row(queue: string, payload: unknown, o: Omit<EnqueueOptions, 'tx'>, now: Date) {
    const id = randomUUID();
    return {
      id,
      queue,
      key: o.key ?? id,
      dedupe: o.dedupe ? 1 : 0,
      payload: JSON.stringify(payload ?? null),
      state: 'pending' as const,
      priority: o.priority ?? 0,
      attempt: o.attemptsSpent ?? 0,
      max_attempts: o.maxAttempts ?? this.#deps.settings.maxAttempts,
      run_at: (o.runAt ?? new Date(now.getTime() + (o.delayMs ?? 0))).toISOString(),
      lease_owner: null,
      lease_until: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
  }

  #now(): string {
    return this.#deps.clock.now().toISOString();
  }

  /** Wakes the claim loop; coalesces concurrent wake-ups into one more pass. */
  #poke(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void this.#pump()
      .catch((err: unknown) =>
        this.#deps.logger.error({ err: (err as Error).message }, 'job claim loop failed; retrying at next poll'),
      )
      .finally(() => {
        this.#pumping = false;
        if (this.#pumpAgain) {
          this.#pumpAgain = false;
          this.#poke();
        }
      });
  }

  async #pump(): Promise<void> {
    if (this.#handlers.size === 0) return;
    // Expired leases are looked for a few times per lease period, not on every wake-up (each finished job wakes
    // the loop): a dead worker's job still runs again within about a lease and a quarter.
    const nowMs = this.#deps.clock.now().getTime();
    if (nowMs - this.#lastReclaimMs >= this.#deps.settings.leaseMs / 4) {
      this.#lastReclaimMs = nowMs;
      await this.#reclaimExpired();
    }
    while (this.#running && this.#inFlight.size < this.#deps.settings.concurrency) {
      const row = await this.#claim();
      if (!row) return;
      this.#execute(row);
    }
  }

  async #claim(): Promise<JobRow | undefined> {
    const now = this.#now();
    const result = await sql<JobRow>`
      UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = ${this.#workerId},
             lease_until = ${this.#leaseUntil(now)}, updated_at = ${now}
      WHERE seq = (${nextHead([...this.#handlers.keys()], now, this.#workerId)})
      RETURNING *`.execute(this.#deps.store.db);
    return result.rows[0];
  }

  #leaseUntil(now: string): string {
    return new Date(Date.parse(now) + this.#deps.settings.leaseMs).toISOString();
  }

  /**
   * A completed job settled and the slot it frees refilled in one statement (issue 15: settle once, refill one slot
   * at a time; the settle and the claim were two statements per job). The completed job is fenced by our lease as
   * in #settle; the next job is the one #claim would take. Returns the claimed job, if one was due.
   */
  async #completeAndClaim(row: JobRow): Promise<JobRow | undefined> {
    const now = this.#now();
    const me = this.#workerId;
    const ours = sql`(seq = ${row.seq} AND lease_owner = ${me} AND state = 'running')`;
    const result = await sql<JobRow>`
      UPDATE jobs SET
        state = CASE WHEN ${ours} THEN 'completed' ELSE 'running' END,
        attempt = CASE WHEN ${ours} THEN attempt ELSE attempt + 1 END,
        lease_owner = CASE WHEN ${ours} THEN NULL ELSE ${me} END,
        lease_until = CASE WHEN ${ours} THEN NULL ELSE ${this.#leaseUntil(now)} END,
        updated_at = ${now}
      WHERE ${ours} OR seq = (${nextHead([...this.#handlers.keys()], now, this.#workerId, row.seq)})
      RETURNING *`.execute(this.#deps.store.db);
    return result.rows.find((r) => r.seq !== row.seq && r.state === 'running');
  }

  #execute(row: JobRow): void {
    const abort = new AbortController();
    const handler = this.#handlers.get(row.queue)!;
    const attempt = {
      id: row.id,
      queue: row.queue,
      key: row.key,
      attempt: row.attempt,
      maxAttempts: row.max_attempts,
      payload: JSON.parse(row.payload) as unknown,
    };
    let next: JobRow | undefined;
    let refilled = false;
    const promise = this.#runner
      .run(attempt, handler, abort.signal)
      .then(async ({ outcome, durationMs }) => {
        if (outcome.kind === 'completed' && this.#running) {
          next = await this.#completeAndClaim(row);
          refilled = true;
        } else await this.#settle(row, outcome);
        this.#runner.announce(attempt, outcome, durationMs);
      })
      .catch((err: unknown) => {
        // The store failed while recording the outcome: the lease runs out and the job runs again.
        this.#deps.logger.error(
          { jobId: row.id, err: (err as Error).message },
          `could not record the outcome of job ${row.id}`,
        );
      })
      .finally(() => {
        this.#inFlight.delete(row.id);
        if (next && this.#running) this.#execute(next);
        else if (next)
          void this.#giveBack([next.id]).catch((err: unknown) =>
            this.#deps.logger.warn(
              { jobId: next!.id, err: (err as Error).message },
              'could not give a job back; its lease will',
            ),
          );
        // A refill that found nothing due needs no pass of the claim loop: nothing was due a moment ago, and what
        // becomes due wakes it (an enqueue, the timed poll). A refill that found a job keeps its slot busy.
        if (!refilled) this.#poke();
      });
    this.#inFlight.set(row.id, { promise, abort });
  }

  /** Our running jobs given back without spending their attempt (a stop past its grace, a refill as it stopped). */
  async #giveBack(ids: readonly string[]): Promise<void> {
    await this.#deps.store.db
      .updateTable('jobs')
      .set({
        state: 'pending',
        attempt: sql`max(attempt - 1, 0)`,
        lease_owner: null,
        lease_until: null,
        run_at: this.#now(),
      })
      .where('id', 'in', [...ids])
      .where('lease_owner', '=', this.#workerId)
      .where('state', '=', 'running')
      .execute();
  }

  /** Applies an outcome, fenced by our lease: if another process took the job over, its result counts. */
  async #settle(row: JobRow, outcome: AttemptOutcome): Promise<void> {
    const now = this.#deps.clock.now();
    const base = { lease_owner: null, lease_until: null, updated_at: now.toISOString() };
    const later = (ms: number) => new Date(now.getTime() + ms).toISOString();
    const update = () =>
      this.#deps.store.db
        .updateTable('jobs')
        .where('id', '=', row.id)
        .where('lease_owner', '=', this.#workerId)
        .where('state', '=', 'running');
    switch (outcome.kind) {
      case 'completed':
        await update()
          .set({ ...base, state: 'completed' })
          .execute();
        return;
      case 'dead':
        await update()
          .set({ ...base, state: 'dead' })
          .execute();
        return;
      case 'retry':
        await this.#backToPending(row, () =>
          update()
            .set({ ...base, state: 'pending', run_at: later(outcome.delayMs) })
            .execute(),
        );
        return;
      case 'defer':
      case 'released':
        // Waiting for a rate limit, a circuit or a restart spends no attempt.
        await this.#backToPending(row, () =>
          update()
            .set({
              ...base,
              state: 'pending',
              attempt: row.attempt - 1,
              run_at: later(outcome.kind === 'defer' ? outcome.delayMs : 0),
            })
            .execute(),
        );
        return;
    }
  }

  /**
   * Puts a de-duplicating job back in line. If a newer job with the same key was enqueued while this one ran,
   * that pending job will do the same work (jobs re-read their source), so this one is finished as superseded.
   */
  async #backToPending(row: Pick<JobRow, 'id' | 'key' | 'dedupe'>, apply: () => Promise<unknown>): Promise<void> {
    try {
      await apply();
    } catch (err) {
      if (!row.dedupe || !/UNIQUE constraint failed/i.test((err as Error).message)) throw err;
      await this.#deps.store.db
        .updateTable('jobs')
        .set({ state: 'completed', lease_owner: null, lease_until: null, updated_at: this.#now() })
        .where('id', '=', row.id)
        .execute();
      this.#deps.logger.info({ jobId: row.id }, `job ${row.id} superseded by a newer pending job with the same key`);
    }
  }

  async #renewLeases(): Promise<void> {
    const ids = [...this.#inFlight.keys()];
    if (ids.length === 0) return;
    const leaseUntil = new Date(this.#deps.clock.now().getTime() + this.#deps.settings.leaseMs).toISOString();
    await this.#deps.store.db
      .updateTable('jobs')
      .set({ lease_until: leaseUntil })
      .where('id', 'in', ids)
      .where('lease_owner', '=', this.#workerId)
      .where('state', '=', 'running')
      .execute()
      .catch((err: unknown) => this.#deps.logger.warn({ err: (err as Error).message }, 'lease renewal failed'));
  }

  /**
   * Jobs whose lease ran out belong to a process that died (or hung). They run again; the lost attempt counts,
   * and a job that has used all its attempts this way goes to the dead-letter queue.
   */
  async #reclaimExpired(): Promise<void> {
    const now = this.#now();
    const expired = await this.#deps.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'running')
      .where('lease_until', '<', now)
      .execute();
    for (const row of expired) {
      const error = new SellbridgeError(
        'SB_JOB_TIMEOUT',
        `job ${row.id} (${row.queue}) was not finished within its lease; the process holding it died or hung`,
        {
          context: { jobId: row.id, queue: row.queue },
        },
      );
      const fenced = () =>
        this.#deps.store.db
          .updateTable('jobs')
          .where('id', '=', row.id)
          .where('state', '=', 'running')
          .where('lease_until', '<', now);
      this.#deps.logger.warn({ jobId: row.id, queue: row.queue, attempt: row.attempt }, error.message);
      if (row.attempt >= row.max_attempts) {
        const job = { id: row.id, queue: row.queue, key: row.key, attempt: row.attempt, maxAttempts: row.max_attempts };
        const deadLetterId = await this.#runner.deadLetter(job, JSON.parse(row.payload), error);
        await fenced().set({ state: 'dead', lease_owner: null, lease_until: null, updated_at: now }).execute();
        this.#runner.emit({ type: 'dead', job, deadLetterId, code: error.code });
      } else {
        await this.#backToPending(row, () =>
          fenced()
            .set({ state: 'pending', lease_owner: null, lease_until: null, run_at: now, updated_at: now })
            .execute(),
        );
      }
    }
  }

  async #purgeCompleted(): Promise<void> {
    const cutoff = new Date(this.#deps.clock.now().getTime() - this.#deps.settings.keepCompletedMs).toISOString();
    await this.#deps.store.db
      .deleteFrom('jobs')
      .where('state', 'in', ['completed', 'dead'])
      .where('updated_at', '<', cutoff)
      .execute()
      .catch(() => undefined);
    await this.#deps.store.db
      .deleteFrom('job_failures')
      .where('last_failed_at', '<', cutoff)
      .execute()
      .catch(() => undefined);
  }
}

/**
 * The seq of the job to claim next among `queues`' jobs. The head of a key is its oldest pending job; it is claimable
 * only when due and when no job of the same key is running. So jobs of one key run one at a time and in enqueue
 * order. `done` (a job of `workerId`'s finishing in the same statement) does not count as running: its key's next job
 * may follow it. `+j.run_at` keeps SQLite off the `jobs_due` range (every due job read, then sorted): it walks
 * `jobs_next` in the ORDER BY's order and stops at the first claimable job (migration 0033).
 */
export function nextHead(queues: readonly string[], now: string, workerId: string, done?: number) {
  const running =
    done === undefined
      ? sql`r.state = 'running'`
      : sql`r.state = 'running' AND NOT (r.seq = ${done} AND r.lease_owner = ${workerId})`;
  return sql<number>`
        SELECT j.seq FROM jobs j
        WHERE j.state = 'pending' AND +j.run_at <= ${now}
          AND j.queue IN (${sql.join([...queues])})
          ${done === undefined ? sql`` : sql`AND j.seq <> ${done}`}
          AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.key = j.key AND ${running})
          AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.key = j.key AND e.state = 'pending' AND e.seq < j.seq)
        ORDER BY j.priority DESC, j.run_at, j.seq
        LIMIT 1`;
}

function jobInfoFromRow(row: JobRow & { last_error: string | null }): JobInfo {
  return {
    id: row.id,
    queue: row.queue,
    key: row.key,
    state: row.state,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    createdAt: row.created_at,
    payload: JSON.parse(row.payload) as unknown,
    lastError: row.last_error,
  };
}
