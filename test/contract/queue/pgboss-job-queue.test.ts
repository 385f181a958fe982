import { describeJobQueue } from './job-queue.contract.ts';

// Needs PostgreSQL at SELLBRIDGE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test); .ci/run starts it.
describeJobQueue('postgres');
