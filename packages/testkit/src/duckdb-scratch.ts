// A temporary directory and a one-thread in-memory DuckDB connection, for tests that write and read Parquet files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** Open one per test (`beforeEach`), close it after (`afterEach`): nothing is left behind. */
export class DuckDbScratch {
  private constructor(
    /** An empty directory of its own under the system's temp directory. */
    readonly root: string,
    private readonly instance: DuckDBInstance,
    readonly db: DuckDBConnection,
  ) {}

  static async open(prefix = 'liot-scratch-'): Promise<DuckDbScratch> {
    const root = await mkdtemp(join(tmpdir(), prefix));
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return new DuckDbScratch(root, instance, await instance.connect());
  }

  async close(): Promise<void> {
    this.db.closeSync();
    this.instance.closeSync();
    await rm(this.root, { recursive: true, force: true });
  }
}
