// Worker thread of the parallel scanner (scan-pool.ts): scans its share of the files and posts the batch.
import { parentPort, workerData } from 'node:worker_threads';
import { scanBatch } from '../targets/scan.ts';
import { readFiles, type ScanJob, withPlainEnv } from './scan-pool.ts';

const job = workerData as ScanJob;
parentPort!.postMessage(
  withPlainEnv(() => scanBatch(readFiles(job.root, job.paths, job.maxBytes), job.maxBytes)),
);
