// Worker thread of the parallel scanner (scan-pool.ts): takes chunks of the files until none is left and posts what it scanned.
import { parentPort, workerData } from 'node:worker_threads';
import { type ScanJob, scanChunks } from './scan-pool.ts';

parentPort!.postMessage(scanChunks(workerData as ScanJob));
