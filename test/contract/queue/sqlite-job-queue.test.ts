import { describeJobQueue } from './job-queue.contract.ts';

describeJobQueue('sqlite');
