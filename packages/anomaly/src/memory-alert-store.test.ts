import { MemoryAlertStore } from './memory-alert-store';
import { describeAlertStoreConformance } from './test-support/alert-store-conformance';

describeAlertStoreConformance('memory', async () => ({
  store: new MemoryAlertStore(),
  cleanup: async () => undefined,
}));
