import { memoryStore } from '../../../lib/store/index.ts';
import { describeStoreContract } from '../../support/store-contract.ts';

describeStoreContract('memory', async (clock) => ({ store: memoryStore(clock) }));
