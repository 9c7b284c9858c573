// Publishes baseline artifacts (`<root>/models/baselines/v=<version>.json`) and the Redis pointer to the current one.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { writeFileDurably } from '@lambda-iot/archive';
import { parseBaselineModel, type BaselineModel } from './baseline-model';
import { BaselineModelError } from './errors';

export interface BaselineStore {
  /** Writes the artifact, then points readers at it: readers never see a version without its file. */
  publish(model: BaselineModel): Promise<void>;
  /** The version readers should use, if any was published. */
  currentVersion(): Promise<string | undefined>;
  load(version: string): Promise<BaselineModel>;
}

export interface FileBaselineStoreOptions {
  redis: Redis;
  keyPrefix: string;
  /** ARCHIVE_ROOT: artifacts live under `<root>/models/baselines/`. */
  root: string;
}

const VERSION = /^[A-Za-z0-9-]{1,100}$/;

export function baselinePointerKey(keyPrefix: string): string {
  return `${keyPrefix}anomaly:baseline`;
}

export function baselinePath(root: string, version: string): string {
  if (!VERSION.test(version))
    throw new BaselineModelError(`invalid baseline version ${JSON.stringify(version)}`);
  return join(root, 'models', 'baselines', `v=${version}.json`);
}

/** A sortable, unique version name: fit time, then a random part. */
export function newBaselineVersion(fittedAt: number): string {
  return `b${fittedAt}-${randomBytes(4).toString('hex')}`;
}

export class FileBaselineStore implements BaselineStore {
  private readonly pointer: string;

  constructor(private readonly options: FileBaselineStoreOptions) {
    this.pointer = baselinePointerKey(options.keyPrefix);
  }

  async publish(model: BaselineModel): Promise<void> {
    await writeFileDurably(baselinePath(this.options.root, model.version), JSON.stringify(model));
    await this.options.redis.set(this.pointer, model.version);
  }

  async currentVersion(): Promise<string | undefined> {
    return (await this.options.redis.get(this.pointer)) ?? undefined;
  }

  async load(version: string): Promise<BaselineModel> {
    let text: string;
    try {
      text = await readFile(baselinePath(this.options.root, version), 'utf8');
    } catch (err) {
      throw new BaselineModelError(`baseline ${version} cannot be read`, { cause: err });
    }
    const model = parseBaselineModel(text);
    if (model.version !== version)
      throw new BaselineModelError(`artifact of ${version} holds version ${model.version}`);
    return model;
  }
}
