import { MemoryOnlineBaselineStore } from './memory-online-baseline-store';
import { describeOnlineBaselineStoreConformance } from './test-support/online-baseline-store-conformance';

describeOnlineBaselineStoreConformance('memory', async () => ({
  store: new MemoryOnlineBaselineStore(),
  cleanup: async () => undefined,
}));
